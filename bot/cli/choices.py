"""The choices the command line offers, named here without importing the model or the reports.

Typer needs an option's choices when it builds `--help`; taking them from `models.Tier` or
`handlers.reports.figures.Period` would import SQLAlchemy and the whole data model before any
help is shown. The commands turn these into the real enums; `tests/cli/test_start_up.py` checks
that both lists stay the same.
"""

from __future__ import annotations

import enum


class TierChoice(enum.StrEnum):
    PEER = "peer"
    BACKUP = "backup"
    COORDINATOR = "coordinator"
    PROFESSIONAL = "professional"


class PeriodChoice(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"
