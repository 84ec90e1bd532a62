"""Default crisis resources by country, shown to anyone who asks for help.

Organisations should set their own (Organisation.crisis_resources); these defaults are a safety
net so that no request is ever answered without a number to call. Each entry carries the date it
was last checked against the service's own published contact details.
"""

from __future__ import annotations

from pydantic import BaseModel


class CrisisResource(BaseModel):
    name: str
    contact: str
    verified_on: str  # ISO date of the last check


_CHECKED = "2025-06-01"

DEFAULT_CRISIS_RESOURCES: dict[str, list[CrisisResource]] = {
    "US": [
        CrisisResource(name="Emergency services", contact="911", verified_on=_CHECKED),
        CrisisResource(
            name="988 Suicide & Crisis Lifeline", contact="call or text 988", verified_on=_CHECKED
        ),
        CrisisResource(
            name="Physician Support Line", contact="1-888-409-0141", verified_on=_CHECKED
        ),
    ],
    "ES": [
        CrisisResource(name="Emergencias", contact="112", verified_on=_CHECKED),
        CrisisResource(
            name="Línea de atención a la conducta suicida", contact="024", verified_on=_CHECKED
        ),
        CrisisResource(
            name="Teléfono de la Esperanza", contact="717 003 717", verified_on=_CHECKED
        ),
    ],
    "GB": [
        CrisisResource(name="Emergency services", contact="999", verified_on=_CHECKED),
        CrisisResource(name="Samaritans", contact="116 123", verified_on=_CHECKED),
        CrisisResource(name="Shout (text)", contact="text SHOUT to 85258", verified_on=_CHECKED),
        CrisisResource(name="NHS 111 (mental health option)", contact="111", verified_on=_CHECKED),
    ],
    "IE": [
        CrisisResource(name="Emergency services", contact="112 or 999", verified_on=_CHECKED),
        CrisisResource(name="Samaritans", contact="116 123", verified_on=_CHECKED),
        CrisisResource(name="Pieta", contact="1800 247 247", verified_on=_CHECKED),
        CrisisResource(name="Text About It", contact="text HELLO to 50808", verified_on=_CHECKED),
    ],
}

FALLBACK_COUNTRY = "US"


def default_resources(country: str) -> list[CrisisResource]:
    return DEFAULT_CRISIS_RESOURCES.get(country.upper(), DEFAULT_CRISIS_RESOURCES[FALLBACK_COUNTRY])
