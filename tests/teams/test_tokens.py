"""Teams tokens with authentication on: what needs no key is refused without one (401, no
network call), the signing keys are held and refreshed in the background, and only a
well-formed token whose key is not held and cannot be fetched gets 503."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from bot.teams import tokens
from models.crypto import Vault
from models.db import Database
from tests.teams.conftest import TeamsWorld, start_world
from tests.teams.openid import FakeOpenId
from tests.teams.test_requests import AUTH, nothing_changed

UNREACHABLE = "http://127.0.0.1:9/metadata"  # the discard port: nothing listens
SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def token(
    *,
    kid: str | None = "current",
    algorithm: str = "RS256",
    key: Any = SIGNING_KEY,
    service_url: str = "",
    **claims: Any,
) -> str:
    now = int(time.time())
    body = {
        "iss": "https://api.botframework.com",
        "aud": AUTH["MICROSOFT_APP_ID"],
        "serviceurl": service_url,
        "nbf": now - 60,
        "exp": now + 3600,
        **claims,
    }
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(body, key, algorithm=algorithm, headers=headers)


def unsigned(**claims: Any) -> str:
    """An `alg: none` token (PyJWT writes one only when asked to)."""
    now = int(time.time())
    body = {"iss": "https://api.botframework.com", "aud": AUTH["MICROSOFT_APP_ID"]}
    return jwt.encode({**body, "exp": now + 3600, **claims}, None, algorithm="none")


@pytest.fixture
async def unreachable(
    monkeypatch: pytest.MonkeyPatch, database: Database, database_url: str, test_vault: Vault
) -> AsyncIterator[TeamsWorld]:
    """Authentication on, and the Bot Framework's key endpoint unreachable."""
    monkeypatch.setattr(tokens, "SOURCES", {sdk: UNREACHABLE for sdk in tokens.SOURCES})
    world, servers = await start_world(database, database_url, test_vault, **AUTH)
    yield world
    for server in servers:
        await server.close()


@pytest.fixture
async def openid(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeOpenId]:
    published = FakeOpenId()
    published.keys["current"] = SIGNING_KEY
    server = TestServer(published.app)
    await server.start_server()
    published.url = str(server.make_url("/metadata"))
    monkeypatch.setattr(tokens, "SOURCES", {sdk: published.url for sdk in tokens.SOURCES})
    yield published
    await server.close()


@pytest.fixture
async def reachable(
    openid: FakeOpenId, database: Database, database_url: str, test_vault: Vault
) -> AsyncIterator[TeamsWorld]:
    """Authentication on, the keys published on loopback (fetched at startup)."""
    world, servers = await start_world(database, database_url, test_vault, **AUTH)
    yield world
    for server in servers:
        await server.close()


def start(teams: TeamsWorld) -> dict[str, Any]:
    """A click on "Ask for support": answered in the invoke's response, so no outgoing call
    (which would need a token from Entra) is made."""
    value = {"action": {"type": "Action.Execute", "verb": "support.start", "data": {}}}
    return teams.activity("ana", "invoke", name="adaptiveCard/action", value=value)


async def post(teams: TeamsWorld, bearer: str) -> Any:
    return await teams.post(start(teams), {"Authorization": f"Bearer {bearer}"})


LOCALLY_REFUSED = {
    "no kid": lambda: token(kid=None),
    "alg none": lambda: unsigned(),
    "HS256": lambda: token(algorithm="HS256", key="a-shared-secret-nobody-agreed-on-0123"),
    "RS512": lambda: token(algorithm="RS512"),
    "ES256": lambda: token(algorithm="ES256", key=ec.generate_private_key(ec.SECP256R1())),
    "expired": lambda: token(exp=int(time.time()) - 3600),
    "no expiry": lambda: token(exp=None),
    "not valid yet": lambda: token(nbf=int(time.time()) + 3600),
    "wrong audience": lambda: token(aud="00000000-0000-0000-0000-000000000bad"),
    "wrong issuer": lambda: token(iss="https://login.example.com/"),
    "not a JWT": lambda: "not.a.jwt",
}


@pytest.mark.parametrize("case", sorted(LOCALLY_REFUSED))
async def test_what_needs_no_key_gets_401_with_the_key_endpoint_unreachable(
    unreachable: TeamsWorld, case: str
):
    response = await post(unreachable, LOCALLY_REFUSED[case]())
    assert response.status == 401, await response.text()
    assert await nothing_changed(unreachable)


async def test_a_well_formed_token_whose_key_cannot_be_fetched_gets_503(unreachable: TeamsWorld):
    activity = start(unreachable)
    bearer = token(service_url=activity["serviceUrl"])
    response = await unreachable.post(activity, {"Authorization": f"Bearer {bearer}"})
    assert response.status == 503
    assert "error" in await response.json()
    assert await nothing_changed(unreachable)


async def test_with_keys_held_a_request_never_waits_on_the_key_endpoint(
    reachable: TeamsWorld, openid: FakeOpenId
):
    activity = start(reachable)
    header = {"Authorization": f"Bearer {token(service_url=activity['serviceUrl'])}"}
    response = await reachable.post(activity, header)
    assert response.status == 200, await response.text()
    fetched = openid.fetches
    openid.delay = 30  # the key endpoint hangs from now on
    started = time.monotonic()
    response = await reachable.post(start(reachable), header)
    assert response.status == 200
    assert time.monotonic() - started < 2
    assert openid.fetches == fetched


async def test_a_key_nobody_publishes_gets_401_once_the_keys_are_current(
    reachable: TeamsWorld, openid: FakeOpenId
):
    await asyncio.wait_for(_held(reachable, "current"), timeout=5)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = await post(reachable, token(kid="unknown", key=stranger))
    assert response.status == 401
    response = await post(reachable, token(kid="current", key=stranger))  # known kid, forged
    assert response.status == 401
    assert await nothing_changed(reachable)


async def test_a_rotated_key_is_fetched_when_first_seen(reachable: TeamsWorld, openid: FakeOpenId):
    await asyncio.wait_for(_held(reachable, "current"), timeout=5)
    keys = _keys(reachable)
    keys._fetched_at = time.monotonic() - 2 * tokens.RETRY_SECONDS  # not fetched just now
    rotated = openid.publish("next")
    activity = start(reachable)
    bearer = token(kid="next", key=rotated, service_url=activity["serviceUrl"])
    response = await reachable.post(activity, {"Authorization": f"Bearer {bearer}"})
    assert response.status == 200, await response.text()


async def test_the_keys_are_refreshed_in_the_background(
    reachable: TeamsWorld, openid: FakeOpenId, monkeypatch: pytest.MonkeyPatch
):
    await asyncio.wait_for(_held(reachable, "current"), timeout=5)
    keys = _keys(reachable)
    await keys.stop()
    monkeypatch.setattr(tokens, "REFRESH_SECONDS", 0.05)
    openid.publish("next")
    keys.start()
    await asyncio.wait_for(_held(reachable, "next"), timeout=5)
    await keys.stop()


def _keys(teams: TeamsWorld) -> tokens.SigningKeys:
    [route] = [
        r
        for r in teams.client.server.app.router.routes()
        if r.resource.canonical == "/api/messages"
    ]
    gate = route.handler.__self__.tokens
    assert gate is not None
    return gate.keys


async def _held(teams: TeamsWorld, kid: str) -> None:
    # The keys change in the refresh task's own time; nothing here can be awaited for it.
    while not _keys(teams).holds(kid):  # noqa: ASYNC110
        await asyncio.sleep(0.02)
