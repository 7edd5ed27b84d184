"""A TCP relay on 127.0.0.1 that emulates a network round trip.

Each byte takes half the round trip to cross, in each direction, and a new
connection carries no data before one round trip has passed (the TCP
handshake). Bandwidth is not limited; only latency is emulated.
"""

import asyncio
from contextlib import suppress


async def start_relay(target_port: int, rtt: float) -> asyncio.Server:
    """Listen on a free port and relay every connection to target_port."""

    async def accept(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await _relay(reader, writer, target_port, rtt)

    return await asyncio.start_server(accept, "127.0.0.1", 0, backlog=1024)


async def _relay(
    client_reader: asyncio.StreamReader,
    client_writer: asyncio.StreamWriter,
    target_port: int,
    rtt: float,
) -> None:
    """Carry one connection both ways with the emulated latency."""
    loop = asyncio.get_running_loop()
    handshake_done = loop.time() + rtt
    try:
        server_reader, server_writer = await asyncio.open_connection(
            "127.0.0.1", target_port
        )
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(
        _pipe(client_reader, server_writer, rtt / 2, handshake_done),
        _pipe(server_reader, client_writer, rtt / 2, 0.0),
        return_exceptions=True,
    )


async def _pipe(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    delay: float,
    not_before: float,
) -> None:
    """Copy reader to writer, each chunk `delay` seconds late, none before not_before."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
    sender = asyncio.create_task(_send_when_due(queue, writer))
    try:
        while chunk := await reader.read(65536):
            queue.put_nowait((max(loop.time(), not_before) + delay, chunk))
    except OSError:
        pass
    queue.put_nowait((max(loop.time(), not_before) + delay, b""))
    await sender


async def _send_when_due(
    queue: asyncio.Queue[tuple[float, bytes]], writer: asyncio.StreamWriter
) -> None:
    """Write each chunk at its due time; close the writer after the empty one."""
    loop = asyncio.get_running_loop()
    with suppress(OSError):
        while True:
            due, chunk = await queue.get()
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            if not chunk:
                break
            writer.write(chunk)
            await writer.drain()
    writer.close()
