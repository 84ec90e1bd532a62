"""The message catalog: every user-facing text, from gettext catalogs (Babel), English and Spanish.

Messages are looked up by a stable key (`offer.title`); the English catalog holds the English text
and the Spanish one its translation. Placeholders are `{name}` fields filled by `t(...)`.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parents[1] / "locale"
SUPPORTED_LOCALES: tuple[str, ...] = ("en", "es")
DEFAULT_LOCALE = "en"


def _compile(path: Path, locale: str) -> Translations:
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, parsed)
    buffer.seek(0)
    return Translations(buffer)


@cache
def catalog(locale: str) -> Translations:
    """A supported locale's catalog, compiled in memory (no build step).

    `messages.po` holds the shared texts; each platform adapter may add its own file beside it
    (`slack.po`, `teams.po`), merged in here.
    """
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    translations = _compile(folder / "messages.po", locale)
    for extra in sorted(folder.glob("*.po")):
        if extra.name != "messages.po":
            translations.merge(_compile(extra, locale))
    return translations


def pick_locale(*candidates: str | None) -> str:
    """The first candidate (a person's platform locale, then the organisation's) we can speak."""
    for candidate in candidates:
        if not candidate:
            continue
        try:
            language = Locale.parse(candidate.replace("-", "_")).language
        except (ValueError, UnknownLocaleError):
            continue
        if language in SUPPORTED_LOCALES:
            return language
    return DEFAULT_LOCALE


def t(locale: str, key: str, **params: object) -> str:
    """The text for `key` in `locale`, falling back to English when a translation is missing."""
    text = catalog(pick_locale(locale)).gettext(key)
    if text == key:
        text = catalog(DEFAULT_LOCALE).gettext(key)
    if text == key:
        raise KeyError(f"message '{key}' is not in the catalog")
    return text.format(**params) if params else text
