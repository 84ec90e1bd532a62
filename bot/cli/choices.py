"""The choices the command line offers, named here without importing the model or the reports.

Typer needs an option's choices when it builds `--help`; taking them from `models.Tier`,
`handlers.reports.figures.Period` or `handlers.support.intake.Category` would import SQLAlchemy
and the whole data model before any help is shown. The commands turn these into the real enums;
`tests/cli/test_start_up.py` checks that the lists stay the same.
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


class CategoryChoice(enum.StrEnum):
    ADVERSE_EVENT = "adverse_event"
    PATIENT_DEATH = "patient_death"
    VIOLENCE = "violence"
    COMPLAINT = "complaint"
    BURNOUT = "burnout"
    OTHER = "other"
