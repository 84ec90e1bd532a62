"""Logging set-up: one line per record, and library loggers that never write request bodies.

`LOG_FORMAT=text` (the default, for `make run`) writes `time level logger: message`;
`LOG_FORMAT=json` writes one JSON object a line for a log collector, with the time, level,
logger, message, request id and organisation id, and nothing else: the request id and the
organisation id come from `handlers.core.log_context` and name no person. An exception is
logged as its type and the stack (files, lines, functions), never its message, which can quote
a database row or a payload.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime
from typing import Literal

from handlers.core.log_context import organisation_id, request_id

# Bolt logs whole request bodies on a signature failure, and at DEBUG the SDKs log payloads:
# those may hold a requester's words or ids, so these loggers stay at WARNING whatever LOG_LEVEL
# says.
QUIET_LOGGERS = (
    "slack_bolt",
    "slack_sdk",
    "botbuilder",
    "botframework",
    "msal",
    "aiohttp.access",
    "apscheduler",
    "sqlalchemy.engine",
    "aiosqlite",
    "asyncpg",
    # alembic announces each of its plugins at INFO when it is imported, which the command line
    # now does after logging is set up (commands import what they need when they run)
    "alembic.runtime.plugins",
)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

LogFormat = Literal["text", "json"]


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, organisation_id."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
            "organisation_id": organisation_id.get(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            kind, _error, trace = record.exc_info
            entry["error"] = kind.__name__
            entry["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(trace)
            ]
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str, log_format: LogFormat = "text") -> None:
    handler = logging.StreamHandler()
    json_lines = log_format == "json"
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    quiet_libraries()


def quiet_libraries() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
