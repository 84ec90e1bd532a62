"""Logging set-up: one line per record, and library loggers that never write request bodies."""

from __future__ import annotations

import logging

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


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    quiet_libraries()


def quiet_libraries() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
