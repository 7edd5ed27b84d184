"""Printing: the machine, tables and ratios."""

from dataclasses import dataclass, field
import os
from pathlib import Path
import platform
import statistics

import aiohttp
import slack_sdk.version  # noqa: TID251 - benchmark dependency

from homeassistant import const


@dataclass
class Section:
    """One measurement's table and the ratios drawn from it."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        """Return the section as a Markdown table with its notes below."""
        lines = [f"### {self.title}", "", *markdown_table(self.headers, self.rows)]
        if self.notes:
            lines += ["", *(f"- {note}" for note in self.notes)]
        return "\n".join(lines)


def markdown_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Return the lines of a Markdown table with aligned columns."""
    widths = [
        max(len(str(cell)) for cell in column)
        for column in zip(headers, *rows, strict=True)
    ]

    def line(cells: list[str]) -> str:
        return (
            "| "
            + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True))
            + " |"
        )

    return [line(headers), line(["-" * w for w in widths]), *map(line, rows)]


def machine() -> str:
    """Return one line naming the machine and the versions measured."""
    return (
        f"{os.cpu_count()} CPU ({_cpu_model()}), Python {platform.python_version()}, "
        f"Home Assistant {const.__version__}, aiohttp {aiohttp.__version__}, "
        f"slack_sdk {slack_sdk.version.__version__}"
    )


def _cpu_model() -> str:
    """Return the CPU model from /proc/cpuinfo, or the platform's processor."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def ms(seconds: float) -> str:
    """Return seconds as milliseconds with two decimals."""
    return f"{seconds * 1000:.2f}"


def ratio(value: float, reference: float) -> str:
    """Return value / reference as `1.23x`."""
    return f"{value / reference:.2f}x" if reference else "n/a"


def p95(samples: list[float]) -> float:
    """Return the 95th percentile of samples."""
    return statistics.quantiles(samples, n=20, method="inclusive")[18]
