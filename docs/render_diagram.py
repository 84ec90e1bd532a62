"""Render docs/data-flow.dot to docs/data-flow.svg with Graphviz (`make diagram`).

The SVG starts with the SHA-256 of the source it was drawn from, so a test can tell whether the
picture is current without depending on the fonts or the Graphviz version of the machine.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
SOURCE = DOCS / "data-flow.dot"
IMAGE = DOCS / "data-flow.svg"
STAMP = "<!-- source sha256: {digest} -->\n"


def source_digest(source: Path = SOURCE) -> str:
    return hashlib.sha256(source.read_bytes()).hexdigest()


def stamp_of(image: Path = IMAGE) -> str | None:
    """The digest the image says it was drawn from, or None."""
    if not image.exists():
        return None
    first = image.read_text(encoding="utf-8").split("\n", 1)[0]
    found = re.fullmatch(r"<!-- source sha256: ([0-9a-f]{64}) -->", first)
    return found.group(1) if found else None


def render(source: Path = SOURCE) -> str:
    """The SVG for `source`, stamped with its digest; raises if Graphviz is missing or fails."""
    dot = shutil.which("dot")
    if dot is None:
        raise FileNotFoundError("Graphviz's `dot` is not installed (apt-get install -y graphviz)")
    drawn = subprocess.run(
        [dot, "-Tsvg", str(source)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    # The stamp comes first; an XML declaration may only stand before it, and is optional.
    if drawn.startswith("<?xml"):
        drawn = drawn.split("\n", 1)[1]
    return STAMP.format(digest=source_digest(source)) + drawn


def main() -> None:
    try:
        IMAGE.write_text(render(), encoding="utf-8")
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    print(f"wrote {IMAGE.relative_to(DOCS.parent)}")


if __name__ == "__main__":
    main()
