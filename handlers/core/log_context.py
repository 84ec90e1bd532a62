"""What a log line may say about where it comes from: the HTTP request and the organisation.

Both are ids that name no person: a request id made up per HTTP request, and the organisation's
row id. They live in context variables, so every log line written while a request or a job is
handled carries them (`bot.logs` reads them) without any function passing them along.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
organisation_id: ContextVar[int | None] = ContextVar("organisation_id", default=None)


def note_organisation(organisation: int | None) -> None:
    """From here on in this request (or job), log lines name this organisation."""
    if organisation is not None:
        organisation_id.set(organisation)


@contextmanager
def organisation_scope(organisation: int | None) -> Iterator[None]:
    """Log lines written inside the block name `organisation`; afterwards, what was before."""
    token = organisation_id.set(organisation)
    try:
        yield
    finally:
        organisation_id.reset(token)


@contextmanager
def request_scope(value: str) -> Iterator[None]:
    """Log lines written inside the block carry request id `value` and no organisation until
    one is known."""
    request_token = request_id.set(value)
    organisation_token = organisation_id.set(None)
    try:
        yield
    finally:
        organisation_id.reset(organisation_token)
        request_id.reset(request_token)
