"""The benchmarks still run: short passes of (a), (b), (d) to (h), figures unchecked.

The benchmarks print figures and are never asserted against wall-clock limits;
this only keeps them from rotting between the runs that fill docs/performance.md.
(h) loads a 100,000-message outbox (and ten of 10,000) and fails unless every
message is back in its queue, so a long backlog keeps loading.
(h) in a real hass process starts hass with 100,000 queued and fails unless
the entry's pending-messages sensor shows them all.
(c) is left out: its bursts wait out real rate limits for half a minute.
"""

from pathlib import Path
import subprocess
import sys

import pytest

SECTIONS = ("### (a)", "### (b)", "### (d)", "### (e)", "### (g)", "### (h)")


def _run(module: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run a benchmark module with arguments, in a process of its own; fail on an error."""
    result = subprocess.run(  # noqa: S603 - our own module, the test's own paths
        [sys.executable, "-m", module, *arguments],
        capture_output=True,
        text=True,
        timeout=170,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.mark.timeout(180)
def test_the_benchmarks_run() -> None:
    """A short pass of the benchmarks ends well and prints each section."""
    result = _run(
        "benchmarks",
        "--quick",
        "--only",
        "abdegh",
        "--messages",
        "20",
        "--outbox-messages",
        "50",
        "--backlog",
        "100000",
        "--drain",
        "200",
    )
    for section in SECTIONS:
        assert section in result.stdout, result.stdout


@pytest.mark.timeout(180)
def test_the_real_hass_benchmark_runs(tmp_path: Path) -> None:
    """A short pass of (f) in a real hass process ends well and prints its table."""
    result = _run(
        "benchmarks.real_hass",
        "--calls",
        "40",
        "--ha-port",
        "8151",
        "--sink-port",
        "8791",
        "--config",
        str(tmp_path / "config"),
    )
    assert "### (f)" in result.stdout, result.stdout
    assert "the hook received 200 of 200 messages" in result.stdout, result.stdout


@pytest.mark.timeout(180)
def test_the_real_hass_backlog_benchmark_runs(tmp_path: Path) -> None:
    """(h) in a real hass process starts with none and 100,000 queued and prints both."""
    result = _run("benchmarks.real_hass_backlog", "--config", str(tmp_path / "config"))
    assert "### (h) in a real hass process" in result.stdout, result.stdout
    assert "| 100,000 " in result.stdout, result.stdout
