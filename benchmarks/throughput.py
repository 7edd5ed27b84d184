"""(a) Sequential throughput over HTTPS: ours vs slack_sdk, with and without a session."""

import statistics

import aiohttp

from .clients import OURS, SDK_DEFAULT, SDK_SESSION, compared, timed
from .hook import HookProcess
from .report import Section, ms, ratio
from .tls import Authority

ROUNDS = 3
WARM_UP = 5


async def throughput(hook: HookProcess, authority: Authority, messages: int) -> Section:
    """Send `messages` one after another per client, in alternating rounds."""
    await hook.reset()
    context = authority.client_context()
    connector = aiohttp.TCPConnector(ssl=context)
    durations: dict[str, list[float]] = {}
    async with aiohttp.ClientSession(connector=connector) as session:
        sends = compared(hook.url, session, context)
        for name, send in sends.items():
            await timed(send, [f"warm-up {i}" for i in range(WARM_UP)])
            durations[name] = []
        for round_ in range(ROUNDS):
            for name, send in sends.items():
                texts = [f"{round_}-{i}" for i in range(messages // ROUNDS)]
                durations[name] += await timed(send, texts)
    rate = {name: len(d) / sum(d) for name, d in durations.items()}
    section = Section(
        title=f"(a) Sequential throughput over HTTPS, {len(durations[OURS])} messages per client",
        headers=["client", "messages/s", "median ms/message", "ours x"],
    )
    for name, samples in durations.items():
        section.rows.append(
            [
                name,
                f"{rate[name]:.0f}",
                ms(statistics.median(samples)),
                ratio(rate[OURS], rate[name]),
            ]
        )
    section.notes += [
        f"ours vs slack_sdk given a session: {ratio(rate[OURS], rate[SDK_SESSION])} (target ≥ 1.0x)",
        f"ours vs slack_sdk as it defaults: {ratio(rate[OURS], rate[SDK_DEFAULT])} (target ≥ 5x)",
    ]
    return section
