"""Every URL an HTTP client asks for during a test: aiohttp's (the Slack SDK, the bot's own
calls) and requests' (the Bot Connector client, through msrest): the `outgoing` fixture, for the
tests that prove the bot sends content to nobody but the chat platform it serves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
import requests


@pytest.fixture
def outgoing(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every URL asked for, recorded as it is sent."""
    urls: list[str] = []
    original = aiohttp.ClientSession._request

    async def recording(self: aiohttp.ClientSession, method: str, url: Any, **kwargs: Any) -> Any:
        urls.append(str(url))
        return await original(self, method, url, **kwargs)

    monkeypatch.setattr(aiohttp.ClientSession, "_request", recording)
    send = requests.Session.send

    def recording_send(self: requests.Session, request: Any, **kwargs: Any) -> Any:
        urls.append(str(request.url))
        return send(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", recording_send)
    yield urls


def hosts(urls: list[str]) -> set[str]:
    return {urlsplit(url).netloc for url in urls}
