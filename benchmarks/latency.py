"""(d) Latency per message through a relay that adds a network round trip."""

import statistics

import aiohttp

from .clients import OURS, SDK_DEFAULT, compared, timed
from .hook import HookProcess
from .report import Section, ms, p95, ratio
from .tls import Authority

WARM_UP = 3


async def latency(
    hook: HookProcess, authority: Authority, messages: int, rtt: float
) -> Section:
    """Send through the relay, the clients taking turns; report p50 and p95 per client."""
    await hook.reset()
    context = authority.client_context()
    connector = aiohttp.TCPConnector(ssl=context)
    async with aiohttp.ClientSession(connector=connector) as session:
        sends = compared(hook.relayed_url, session, context)
        for send in sends.values():
            await timed(send, [f"warm-up {i}" for i in range(WARM_UP)])
        samples: dict[str, list[float]] = {name: [] for name in sends}
        for i in range(messages):
            for name, send in sends.items():
                samples[name] += await timed(send, [f"{i}"])
    section = Section(
        title=f"(d) Latency with an emulated {rtt * 1000:.0f} ms round trip, {messages} messages per client",
        headers=["client", "p50 ms", "p95 ms", "p50 in round trips"],
    )
    p50 = {name: statistics.median(s) for name, s in samples.items()}
    for name, durations in samples.items():
        section.rows.append(
            [name, ms(p50[name]), ms(p95(durations)), f"{p50[name] / rtt:.2f}"]
        )
    section.notes += [
        f"ours p50 on a warm connection: {p50[OURS] / rtt:.2f} round trips (target ≤ 1.1)",
        f"slack_sdk as it defaults takes {ratio(p50[SDK_DEFAULT], p50[OURS])} ours per message",
    ]
    return section
