"""The data-flow diagram of docs/privacy.md: its Graphviz source renders, and the SVG beside it
was drawn from that very source (`make diagram` redraws it; UPDATE_DIAGRAM=1 makes this test
redraw it). Graphviz comes from Debian's packages, which .ci/run installs when it is missing."""

from __future__ import annotations

import importlib.util
import os
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from types import ModuleType

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


def renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_diagram", DOCS / "render_diagram.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def graphviz() -> None:
    if shutil.which("dot") is None:
        reason = "Graphviz's dot is not installed (apt-get install -y graphviz)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run installs it", pytrace=False)
        pytest.skip(reason)


def test_the_source_renders_to_an_svg_that_names_every_flow(graphviz: None) -> None:
    svg = renderer().render()
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    text = " ".join(node.text or "" for node in root.iter() if node.tag.endswith("text"))
    for name in ("Slack workspace", "Microsoft Teams", "Database", "ENCRYPTION_KEYS", "Logs",
                 "/metrics", "backups", "eDiscovery", "never a channel"):  # fmt: skip
        assert name in text


def test_the_svg_in_docs_is_drawn_from_the_current_source(graphviz: None) -> None:
    module = renderer()
    if os.environ.get("UPDATE_DIAGRAM"):
        module.IMAGE.write_text(module.render(), encoding="utf-8")
    assert module.stamp_of() == module.source_digest(), (
        "docs/data-flow.svg is out of date with docs/data-flow.dot: run `make diagram`"
    )
    ElementTree.parse(module.IMAGE)  # and it is well-formed


def test_the_privacy_page_shows_the_diagram() -> None:
    page = (DOCS / "privacy.md").read_text(encoding="utf-8")
    assert "](data-flow.svg)" in page and "data-flow.dot" in page
