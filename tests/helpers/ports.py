"""Loopback ports for the servers and processes the tests start."""

import socket


def free_port() -> int:
    """Return a port on 127.0.0.1 where nothing listens now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
