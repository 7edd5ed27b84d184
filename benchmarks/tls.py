"""A certificate authority made at run time, and the contexts that trust it."""

from pathlib import Path
import ssl

import trustme

from homeassistant.util import ssl as ssl_util

HOST = "127.0.0.1"


class Authority:
    """A throwaway CA with one server certificate for 127.0.0.1."""

    def __init__(self, directory: Path) -> None:
        """Make the CA and write the server's key and chain to directory."""
        self._ca = trustme.CA()
        self.server_pem = directory / "server.pem"
        issued = self._ca.issue_cert(HOST)
        issued.private_key_and_cert_chain_pem.write_to_path(str(self.server_pem))

    def client_context(self) -> ssl.SSLContext:
        """Return a client context that trusts the CA."""
        context = ssl.create_default_context()
        self._ca.configure_trust(context)
        return context

    def trust_in_home_assistant(self) -> None:
        """Make Home Assistant's shared client session trust the CA too."""
        self._ca.configure_trust(
            ssl_util.client_context(
                ssl_util.SSLCipherList.PYTHON_DEFAULT, ssl_util.SSL_ALPN_HTTP11
            )
        )
