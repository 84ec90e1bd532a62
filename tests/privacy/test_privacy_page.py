"""docs/privacy.md keeps its promise: every claim (each table row and bullet) names a test, every
test it names exists, and its table of what is kept is the schema's (every table, and exactly
the columns the models encrypt)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from models import Base
from models.types import EncryptedJSON, EncryptedText

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "privacy.md"
TEST_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
KEPT_HEADING = "## What it keeps"


def claims(text: str) -> list[str]:
    """Each table body row and each bullet (with its continuation lines), as one string."""
    found: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith(("| table ", "| ---")):
            found.append(line)
            current = None
        elif line.startswith("- "):
            current = [line]
            found.append("")
        elif current is not None and line.startswith("  ") and line.strip():
            current.append(line)
        else:
            current = None
        if current is not None:
            found[-1] = " ".join(current)
    return found


@cache
def functions_in(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
    return frozenset(node.name for node in ast.walk(tree) if isinstance(node, kinds))


def test_every_claim_names_a_test() -> None:
    page = PAGE.read_text(encoding="utf-8")
    found = claims(page)
    assert len(found) > 40, "the walk found too few claims to be trusted"
    unproved = [claim[:80] for claim in found if not TEST_REFERENCE.search(claim)]
    assert unproved == []


def test_every_test_named_exists() -> None:
    references = TEST_REFERENCE.findall(PAGE.read_text(encoding="utf-8"))
    assert len(references) > 40
    missing = [
        f"{path}::{name}"
        for path, name in references
        if not (ROOT / path).is_file() or name not in functions_in(ROOT / path)
    ]
    assert missing == []


def kept_rows() -> dict[str, set[str]]:
    """The page's table of what is kept: table name -> the columns it says are encrypted."""
    section = PAGE.read_text(encoding="utf-8").split(KEPT_HEADING, 1)[1].split("\n## ", 1)[0]
    rows: dict[str, set[str]] = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        rows[cells[0].strip("`")] = set(re.findall(r"`(\w+)`", cells[2]))
    return rows


def test_the_table_of_what_is_kept_matches_the_schema() -> None:
    rows = kept_rows()
    tables = {table.name: table for table in Base.metadata.sorted_tables}
    assert set(rows) == set(tables), "every table, and only tables, in the page's table"
    for name, encrypted in rows.items():
        actual = {
            column.name
            for column in tables[name].columns
            if isinstance(column.type, (EncryptedText, EncryptedJSON))
        }
        assert encrypted == actual, name


def test_a_claim_without_a_test_or_with_a_missing_one_is_caught() -> None:
    """The walk itself: a bullet with no test, and a test that does not exist, are both found."""
    page = "- A claim with no proof.\n- Proved `tests/privacy/test_privacy_page.py::nope`.\n"
    found = claims(page)
    assert [bool(TEST_REFERENCE.search(claim)) for claim in found] == [False, True]
    assert "nope" not in functions_in(ROOT / "tests/privacy/test_privacy_page.py")


def test_the_readme_links_the_page_from_its_top() -> None:
    top = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ", 1)[0]
    assert "](docs/privacy.md)" in top


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_dpia_draft_points_at_sections_that_exist_and_marks_the_deployers_parts() -> None:
    dpia = (ROOT / "docs" / "dpia-template.md").read_text(encoding="utf-8")
    headings = {
        slug(line.lstrip("#"))
        for line in PAGE.read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    }
    anchors = set(re.findall(r"\(privacy\.md#([\w-]+)\)", dpia))
    assert len(anchors) >= 6 and anchors <= headings, anchors - headings
    assert dpia.count("[DEPLOYER") >= 20
    for part in ("Lawful basis", "Art. 9", "Necessity", "Risks and mitigations", "Sign-off"):
        assert part in dpia
