"""Text in a platform's payload that no database can store, or that is no id.

PostgreSQL refuses NUL in text, and no database (nor UTF-8) can hold a lone surrogate, which
JSON can spell (`"\\ud800"`). A payload is walked once before anything reads it: a lone
surrogate anywhere, control characters in an id or a key, an id longer than any the platform
gives, or a URL that is not one, refuse it; NUL is removed from free text (what people wrote),
where a refusal would lose their words.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

KEY_MAX = 255
URL_MAX = 2048
DEPTH_MAX = 64


class Refused(Exception):
    """The payload is not one the platform sends; the message names a field, never content."""


def _controlled(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in text)


def _surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


class TextRules:
    def __init__(
        self, *, is_id: Callable[[str], bool], is_url: Callable[[str], bool], id_max: int
    ) -> None:
        self.is_id = is_id
        self.is_url = is_url
        self.id_max = id_max

    def cleaned(self, node: Any, key: str = "", depth: int = 0) -> Any:
        """`node` with NUL removed from free text; raises Refused as the module says."""
        if depth > DEPTH_MAX:
            raise Refused("the payload is nested too deeply")
        if isinstance(node, dict):
            for name in node:
                if not isinstance(name, str) or len(name) > KEY_MAX:
                    raise Refused("the payload has a key that is too long")
                if _surrogate(name) or _controlled(name):
                    raise Refused("the payload has a key with control characters")
            return {name: self.cleaned(value, name, depth + 1) for name, value in node.items()}
        if isinstance(node, list):
            return [self.cleaned(value, key, depth + 1) for value in node]
        if not isinstance(node, str):
            return node
        if _surrogate(node):
            raise Refused(f"{key or 'a value'} is not valid Unicode")
        if self.is_url(key):
            if len(node) > URL_MAX or _controlled(node) or " " in node:
                raise Refused(f"{key} is not a URL")
            return node
        if self.is_id(key):
            if len(node) > self.id_max or _controlled(node):
                raise Refused(f"{key} is not an id")
            return node
        return node.replace("\x00", "")
