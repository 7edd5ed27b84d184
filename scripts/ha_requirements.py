"""Write what a venv of another Home Assistant release needs for its dev instance.

    python scripts/ha_requirements.py REQUIREMENTS_DEV OUTDIR

runs in a venv where a homeassistant release is installed (scripts/setup,
for HA_VERSION) and writes OUTDIR/requirements.txt and OUTDIR/constraints.txt.
The requirements are that homeassistant, every pin of REQUIREMENTS_DEV (the
frontend and friends of the pinned release) and the packages the test
harness adds for Home Assistant, each at the version this release's
integration manifests or package constraints pin, else at REQUIREMENTS_DEV's;
the constraints are the release's package_constraints.txt. Standard library
only.
"""

import argparse
from importlib import metadata
import json
from pathlib import Path
import re

# The release's pins of these have no Python 3.14 wheel (and building them
# needs a compiler): REQUIREMENTS_DEV's newer wheels stand in for them.
KEEP_OURS = frozenset({"pymicro-vad", "pyspeex-noise"})
# What pytest-homeassistant-custom-component installs besides homeassistant
# that the dev instance imports, so this venv has what the main one has.
HARNESS_PACKAGES = ("aiohasupervisor", "numpy", "paho-mqtt")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")


def normalize(name: str) -> str:
    """Return a package name in PEP 503's normal form."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins_of(lines: list[str]) -> dict[str, str]:
    """Map the normalized name of each exact pin among lines to its pin."""
    pins = {}
    for line in lines:
        if match := PIN.match(line.split("#", 1)[0].strip()):
            pins[normalize(match[1])] = match[0]
    return pins


def release_pins(package: Path) -> dict[str, str]:
    """Return the exact pins of the release's integration manifests and package constraints."""
    pins: dict[str, str] = {}
    for manifest in sorted(package.glob("components/*/manifest.json")):
        pins |= pins_of(json.loads(manifest.read_text()).get("requirements", []))
    constraints = (package / "package_constraints.txt").read_text().splitlines()
    return pins | pins_of(constraints)


def requirements(package: Path, requirements_dev: Path) -> list[str]:
    """Return homeassistant's pin, then REQUIREMENTS_DEV's and the harness's at the release's versions."""
    release = release_pins(package)
    ours = pins_of(requirements_dev.read_text().splitlines())
    harness = [
        name
        for name in map(normalize, HARNESS_PACKAGES)
        if name in release and name not in ours
    ]
    return [
        f"homeassistant=={metadata.version('homeassistant')}",
        *(
            pin if name in KEEP_OURS else release.get(name, pin)
            for name, pin in ours.items()
        ),
        *(release[name] for name in harness),
    ]


def constraints(package: Path) -> list[str]:
    """Return the release's package constraints less the pins KEEP_OURS replaces."""
    lines = (package / "package_constraints.txt").read_text().splitlines()
    return [line for line in lines if not (set(pins_of([line])) & KEEP_OURS)]


def main() -> None:
    """Write OUTDIR/requirements.txt and OUTDIR/constraints.txt."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements_dev", type=Path)
    parser.add_argument("outdir", type=Path)
    args = parser.parse_args()
    package = Path(
        str(metadata.distribution("homeassistant").locate_file("homeassistant"))
    )
    args.outdir.joinpath("requirements.txt").write_text(
        "\n".join(requirements(package, args.requirements_dev)) + "\n"
    )
    args.outdir.joinpath("constraints.txt").write_text(
        "\n".join(constraints(package)) + "\n"
    )


if __name__ == "__main__":
    main()
