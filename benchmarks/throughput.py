"""(a) Sequential throughput over HTTPS: ours vs slack_sdk, with and without a session.

The clients take turns in short rounds, so load from elsewhere on the machine
falls on all of them alike. Besides wall-clock throughput, the client
process's CPU time per message is shown: the hook runs in another process,
so that is the client's own cost, and it varies less with machine load.
"""

from dataclasses import dataclass, field
import time

import aiohttp

from .clients import FLOOR, OURS, SDK_DEFAULT, SDK_SESSION, Send, compared, timed
from .hook import HookProcess
from .report import Section, ratio
from .tls import Authority

ROUNDS = 20
WARM_UP = 5


@dataclass
class Cost:
    """Messages sent, and the wall-clock and CPU seconds they took."""

    messages: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    rates: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Return messages per wall-clock second."""
        return self.messages / self.wall

    @property
    def cpu_per_message(self) -> float:
        """Return CPU seconds per message."""
        return self.cpu / self.messages


async def throughput(hook: HookProcess, authority: Authority, messages: int) -> Section:
    """Send `messages` per client one after another, in alternating rounds."""
    await hook.reset()
    context = authority.client_context()
    connector = aiohttp.TCPConnector(ssl=context)
    async with aiohttp.ClientSession(connector=connector) as session:
        sends = compared(hook.url, session, context)
        for send in sends.values():
            await timed(send, [f"warm-up {i}" for i in range(WARM_UP)])
        costs = {name: Cost() for name in sends}
        for round_ in range(ROUNDS):
            texts = [f"{round_}-{i}" for i in range(max(1, messages // ROUNDS))]
            for name, send in sends.items():
                await _measure(send, texts, costs[name])
    return _section(costs)


async def _measure(send: Send, texts: list[str], cost: Cost) -> None:
    """Send texts one after another and add what they took to cost."""
    wall, cpu = time.perf_counter(), time.process_time()
    await timed(send, texts)
    cost.messages += len(texts)
    cost.wall += time.perf_counter() - wall
    cost.cpu += time.process_time() - cpu


def _section(costs: dict[str, Cost]) -> Section:
    """Return the table of rates and CPU costs, with the ratios to ours."""
    ours = costs[OURS]
    section = Section(
        title=f"(a) Sequential throughput over HTTPS, {ours.messages} messages per client",
        headers=[
            "client",
            "messages/s",
            "ours x",
            "client CPU µs/message",
            "ours x (CPU)",
        ],
    )
    for name, cost in costs.items():
        section.rows.append(
            [
                name,
                f"{cost.rate:.0f}",
                ratio(ours.rate, cost.rate),
                f"{cost.cpu_per_message * 1e6:.0f}",
                ratio(cost.cpu_per_message, ours.cpu_per_message),
            ]
        )
    for name, target in ((SDK_SESSION, "1.1x"), (SDK_DEFAULT, "5x")):
        section.notes.append(
            f"ours vs {name}: {ratio(ours.rate, costs[name].rate)} in messages/s, "
            f"{ratio(costs[name].cpu_per_message, ours.cpu_per_message)} in CPU "
            f"per message (target ≥ {target})"
        )
    section.notes.append(
        f"ours' CPU per message is {ratio(ours.cpu_per_message, costs[FLOOR].cpu_per_message)} "
        "the floor's (target ≤ 1.1x)"
    )
    return section
