"""Bad requests to /api/messages get a clear 4xx and change nothing."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import jwt
import pytest
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from bot.teams import tokens
from models import ChatIdentity, DueJob, Organisation, Workspace
from models.crypto import Vault
from models.db import Database
from tests.teams.conftest import TeamsWorld, start_world
from tests.teams.openid import FakeOpenId

AUTH = {
    "MICROSOFT_APP_ID": "00000000-0000-0000-0000-00000000b075",
    "MICROSOFT_APP_PASSWORD": "not-a-real-secret",
    "MICROSOFT_APP_TENANT_ID": "00000000-0000-0000-0000-0000000000aa",
}


async def nothing_changed(teams: TeamsWorld) -> bool:
    async with teams.runtime.database.session() as session:
        for model in (Organisation, Workspace, ChatIdentity, DueJob):
            if await session.scalar(select(func.count()).select_from(model)):
                return False
    return teams.connector.calls == []


@pytest.fixture
async def authenticated(
    database: Database, database_url: str, test_vault: Vault
) -> AsyncIterator[TeamsWorld]:
    world, servers = await start_world(database, database_url, test_vault, **AUTH)
    yield world
    for server in servers:
        await server.close()


def forged_token(kid: str = "trusted", algorithm: str = "RS256") -> str:
    """A token that claims to come from the Bot Framework, signed with a key it never published."""
    claims = {"iss": "https://api.botframework.com", "aud": AUTH["MICROSOFT_APP_ID"]}
    if algorithm == "HS256":
        return jwt.encode(claims, "a-shared-secret-nobody-agreed-on-0123", algorithm=algorithm)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, other_key, algorithm=algorithm, headers={"kid": kid})


# The Bot Framework's signing key in these tests (the SDK caches published keys process-wide,
# so one key serves every test).
TRUSTED_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def channel_token(service_url: str) -> str:
    """A token as the Bot Framework signs it for a request from Teams."""
    now = int(time.time())
    claims = {
        "iss": "https://api.botframework.com",
        "aud": AUTH["MICROSOFT_APP_ID"],
        "serviceurl": service_url,
        "nbf": now - 60,
        "exp": now + 3600,
    }
    return jwt.encode(claims, TRUSTED_KEY, algorithm="RS256", headers={"kid": "trusted"})


@pytest.fixture(autouse=True)
async def published_keys(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeOpenId]:
    """The Bot Framework's published signing keys, on loopback: one trusted key."""
    openid = FakeOpenId()
    openid.keys["trusted"] = TRUSTED_KEY
    server = TestServer(openid.app)
    await server.start_server()
    metadata = str(server.make_url("/metadata"))
    monkeypatch.setattr(tokens, "SOURCES", {url: metadata for url in tokens.SOURCES})
    yield openid
    await server.close()


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'"text"',
        json.dumps({"type": "message", "text": "support"}).encode(),
    ],
)
async def test_malformed_bodies_get_400(teams: TeamsWorld, body: bytes):
    response = await teams.client.post(
        "/api/messages", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert "error" in await response.json()
    assert await nothing_changed(teams)


@pytest.mark.parametrize("missing", ["type", "serviceUrl", "conversation", "from", "recipient"])
async def test_an_activity_without_a_required_field_gets_400(teams: TeamsWorld, missing: str):
    activity = teams.activity("ana", text="support")
    del activity[missing]
    response = await teams.post(activity)
    assert response.status == 400
    assert await nothing_changed(teams)


async def test_a_wrong_field_type_gets_400(teams: TeamsWorld):
    activity = teams.activity("ana", text="support")
    activity["conversation"] = {"id": 42}
    assert (await teams.post(activity)).status == 400
    assert await nothing_changed(teams)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
async def test_a_wrong_content_type_gets_415(teams: TeamsWorld, content_type: str):
    body = json.dumps(teams.activity("ana", text="support")).encode()
    headers = {"Content-Type": content_type} if content_type else {}
    response = await teams.client.post("/api/messages", data=body, headers=headers)
    assert response.status == 415
    assert await nothing_changed(teams)


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz", "garbage", "Bearer " + forged_token()],
)
async def test_a_malformed_authorization_header_gets_401_not_500(teams: TeamsWorld, header: str):
    response = await teams.post(teams.activity("ana", text="support"), {"Authorization": header})
    assert response.status == 401
    assert await nothing_changed(teams)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer not.a.jwt",
        "Bearer " + forged_token(),  # signed with the wrong key
        "Bearer " + forged_token(kid="unknown"),  # a key id nobody published
        "Bearer " + forged_token(algorithm="HS256"),
    ],
)
async def test_with_an_app_id_a_request_without_a_valid_token_gets_401(
    authenticated: TeamsWorld, header: str | None
):
    headers = {"Authorization": header} if header else None
    activity = authenticated.activity("ana", text="support")
    response = await authenticated.post(activity, headers)
    assert response.status == 401
    assert await nothing_changed(authenticated)


async def test_with_an_app_id_a_request_with_a_valid_token_is_answered(
    authenticated: TeamsWorld,
):
    """The other side of the 401s: a token the Bot Framework signed gets the bot's answer."""
    value = {"action": {"type": "Action.Execute", "verb": "support.start", "data": {"value": ""}}}
    activity = authenticated.activity("ana", "invoke", name="adaptiveCard/action", value=value)
    token = channel_token(activity["serviceUrl"])
    response = await authenticated.post(activity, {"Authorization": f"Bearer {token}"})
    assert response.status == 200, await response.text()
    body = await response.json()
    assert [action["verb"] for action in body["value"]["actions"]] == ["intake.submit"]
    # Signed for another service URL, the same token is refused.
    wrong = channel_token("https://smba.elsewhere.example/")
    response = await authenticated.post(activity, {"Authorization": f"Bearer {wrong}"})
    assert response.status == 401


async def test_unknown_card_actions_get_a_harmless_answer(teams: TeamsWorld):
    card = await teams.click("ana", "offer.accept", {"value": "not-a-number"})
    assert "no longer works" in json.dumps(card)
    card = await teams.click("ana", "something.else", {})
    assert "no longer works" in json.dumps(card)
