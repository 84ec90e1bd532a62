"""Mutations of well-formed payloads for the property-based endpoint tests (hypothesis).

A payload is a JSON-like tree; a mutation picks a node in it and replaces it with a value of
the wrong type or with hostile text (NUL, a lone surrogate, control characters, a very long
string), deletes it, or adds a key. Each endpoint's test sets how many examples it runs per
database (`fuzz(...)`: together, a little over 2,000 payloads a run); `FUZZ_EXAMPLES` sets it
for all of them, to search longer.
"""

from __future__ import annotations

import copy
import logging
import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from models import Base
from models.db import Database


def fuzz(examples: int) -> settings:
    """Hypothesis' settings for an endpoint's fuzz test: `examples` per database, unless
    `FUZZ_EXAMPLES` says otherwise."""
    return settings(
        max_examples=int(os.environ.get("FUZZ_EXAMPLES", str(examples))),
        deadline=None,
        # One world serves every example on purpose: the check is what each request changes.
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "U\x00BAD",
    "\ud800",
    "a\udfffb",
    "\x07\x1b[31m",
    "\u202eevil",
    "x" * 5000,
    "😀" * 50,
    "null",
    "0",
    "support",
    "T0HOSPITAL\x00",
]
WRONG_TYPES: list[Any] = [None, 0, -1, 2**70, 1.5, True, False, [], {}, [None], [{}], {"id": None}]
VALUES = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from(WRONG_TYPES).map(copy.deepcopy),  # a fresh [] or {} each time
    st.text(max_size=40),
    st.integers(),
)
KEYS = st.one_of(
    st.sampled_from(["id", "type", "user", "event", "view", "\x00", "\ud800"]), st.text(max_size=8)
)

Path = tuple[Any, ...]


def paths(node: Any, prefix: Path = ()) -> list[Path]:
    """Every place in the tree (the root is `()`)."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


def _parent(tree: Any, path: Path) -> Any:
    for step in path[:-1]:
        tree = tree[step]
    return tree


@st.composite
def mutated(draw: st.DrawFn, payload: dict[str, Any]) -> Any:
    """`payload` with one to three mutations."""
    tree: Any = copy.deepcopy(payload)
    for _ in range(draw(st.integers(1, 3))):
        places = paths(tree)
        path = draw(st.sampled_from(places))
        operation = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if not path:
            if operation == "replace":
                tree = draw(VALUES)
            continue
        parent = _parent(tree, path)
        if operation == "replace":
            parent[path[-1]] = draw(VALUES)
        elif operation == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(KEYS)] = draw(VALUES)
        else:
            parent.append(draw(VALUES))
    return tree


async def row_counts(database: Database) -> dict[str, int]:
    """How many rows each table holds: what "nothing changed" compares."""
    async with database.session() as session:
        return {
            table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


class Failures(logging.Handler):
    """Errors logged while a request is handled (a listener that crashed after its answer),
    except the platform API's own refusals (`expected`: exception names), which are its
    answer to ids that name nobody, as a real platform would refuse them."""

    def __init__(self, *expected: str) -> None:
        super().__init__(logging.ERROR)
        self.expected = tuple(f"({name})" for name in expected)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not self.expected or not record.getMessage().endswith(self.expected):
            self.records.append(record)

    def messages(self) -> list[str]:
        return [record.getMessage() for record in self.records]
