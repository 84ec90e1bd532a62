"""The languages a requester can ask their peer to speak, and peers list in the roster."""

from __future__ import annotations

import enum


class Language(enum.StrEnum):
    """Languages a requester can ask their peer to speak (peers list theirs in the roster)."""

    EN = "en"
    ES = "es"
    FR = "fr"
    PT = "pt"
    DE = "de"
    IT = "it"
    PL = "pl"
    AR = "ar"
    ZH = "zh"
