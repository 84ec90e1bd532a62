"""Does a text suggest its writer may be at risk? A safety net, not a diagnosis.

Every shipped language is checked whatever the writer's language (people switch), and so are
the organisation's own phrases. Matching is done on normalised text (case, accents, spacing and
punctuation folded), so "I'M   thinking of HARMING myself!!" and "hacerme daño" are found.
Negations are not parsed: "I am not going to harm myself" matches too, on purpose. Telling
"not" apart reliably is beyond a word list, and a person who writes that sentence to a support
bot is someone a colleague should hear from; the cost of asking is a kind message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from handlers.safety.phrases import SHIPPED

PHRASE_MIN_LENGTH = 3
PHRASE_MAX_LENGTH = 100
_NOT_WORD = re.compile(r"[\W_]+")


def normal(text: str) -> str:
    """Lower case, no accents, one space between words: the form every pattern is written in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", bare).strip()


@cache
def _shipped() -> re.Pattern[str]:
    patterns = [pattern for table in SHIPPED.values() for pattern in table]
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b")


@cache
def _own(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    words = [re.escape(normal(phrase)) for phrase in phrases if normal(phrase)]
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(words) + r")\b")


def suggests_risk(text: str | None, own_phrases: Iterable[str] = ()) -> bool:
    """True when `text` holds a shipped risk phrase or one of the organisation's own."""
    if not text:
        return False
    folded = normal(text)
    if _shipped().search(folded):
        return True
    own = _own(tuple(own_phrases))
    return bool(own and own.search(folded))


def clean_phrase(phrase: str) -> str:
    """An organisation's phrase as it is kept; ValueError says why one cannot be used."""
    kept = " ".join(phrase.split())
    if not (len(normal(kept)) >= PHRASE_MIN_LENGTH and len(kept) <= PHRASE_MAX_LENGTH):
        raise ValueError(
            f"a risk phrase needs {PHRASE_MIN_LENGTH} to {PHRASE_MAX_LENGTH} characters of "
            f"letters or digits, got {phrase!r}"
        )
    return kept
