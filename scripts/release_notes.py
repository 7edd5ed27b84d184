#!/usr/bin/env python3
"""Check a release tag and print its CHANGELOG entry, the release's notes.

Usage: scripts/release_notes.py TAG [ROOT]. The tag is v<version> with the
version of manifest.json, and CHANGELOG.md has a dated entry for it:
"## [<version>] - YYYY-MM-DD". Exits 1 with a message otherwise.
"""

import json
from pathlib import Path
import re
import sys

MANIFEST = Path("custom_components/slack_webhook/manifest.json")
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?P<rest>.*)$", re.MULTILINE)
DATED = re.compile(r" - \d{4}-\d{2}-\d{2}")


def release_notes(tag: str, root: Path) -> str:
    """Return the CHANGELOG entry of the tag's version; raise ValueError if unfit."""
    version = json.loads((root / MANIFEST).read_text(encoding="utf-8"))["version"]
    if tag != f"v{version}":
        raise ValueError(f"tag {tag} is not v{version}, the version of {MANIFEST}")
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = list(HEADING.finditer(changelog))
    for index, heading in enumerate(headings):
        if heading["version"] != version:
            continue
        if not DATED.fullmatch(heading["rest"]):
            raise ValueError(f"CHANGELOG.md: the entry of {version} has no date")
        end = headings[index + 1].start() if index + 1 < len(headings) else None
        return changelog[heading.end() : end].strip() + "\n"
    raise ValueError(f"CHANGELOG.md has no entry for {version}")


def main() -> int:
    """Print the notes of the tag given as argument, or why it cannot be released."""
    root = Path(sys.argv[2]) if len(sys.argv) > 2 else Path()
    try:
        print(release_notes(sys.argv[1], root), end="")
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
