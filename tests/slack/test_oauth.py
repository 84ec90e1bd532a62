"""Multi-workspace install (OAuth): the install page and its state cookie, the callback that
stores a workspace's installation with its token encrypted, each workspace reached with its own
token and counted as its own organisation, uninstall, and the settings that turn it on."""

from __future__ import annotations

import base64
import html
import os
import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table, func, insert, select, text

from bot.sandbox.slack_api import FakeSlackApi
from bot.slack.messenger import NotInstalled, SlackMessenger
from bot.slack.oauth import BOT_SCOPES, authorization_url
from config.settings import ConfigError, load_settings
from handlers.core.ports import Address, Message
from models import (
    SLACK_BOTS,
    SLACK_INSTALLATIONS,
    SLACK_OAUTH_STATES,
    Base,
    SupportRequest,
    Workspace,
)
from models.crypto import Vault
from models.db import Database
from models.slack_install import SECRET_COLUMNS
from models.types import EncryptedText
from tests.conftest import TEST_KEY
from tests.slack.conftest import BOT_USER, FORM, SIGNING_SECRET, TEAM, SlackWorld, start_world

T2 = "T2CLINIC"
T2_TOKEN = "xoxb-2-clinic-4f1c9d7e0a"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "c0ffee-client-secret"
CODE = "code-from-slack"
STATE_COOKIE = "slack-app-oauth-state"


class InstallingSlack(FakeSlackApi):
    """The fake Web API, which also exchanges CODE for a bot token of workspace T2."""

    def __init__(self) -> None:
        super().__init__(token=None, team_id=TEAM, bot_user_id=BOT_USER)

    def _oauth_v2_access(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("code") != CODE:
            return {"ok": False, "error": "invalid_code"}
        return {
            "ok": True,
            "access_token": T2_TOKEN,
            "token_type": "bot",
            "scope": ",".join(BOT_SCOPES),
            "bot_user_id": "UBOT2",
            "app_id": "A0PEER",
            "team": {"id": T2, "name": "Clinic"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "UADMIN"},
        }

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        if self.calls[-1].token == T2_TOKEN:  # the call being answered
            return {"ok": True, "user_id": "UBOT2", "bot_id": "BBOT2", "team_id": T2}
        return super()._auth_test(args)


@pytest.fixture
async def oauth(
    database: Database, database_url: str, test_vault: Vault
) -> AsyncIterator[SlackWorld]:
    world, servers = await start_world(
        database,
        database_url,
        test_vault,
        InstallingSlack(),
        SLACK_BOT_TOKEN=None,
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
    )
    world.team = T2
    yield world
    await world.platform.close()
    for server in servers:
        await server.close()


async def start_install(world: SlackWorld) -> tuple[str, str]:
    """GET /slack/install: the "Add to Slack" link and the state cookie set with it."""
    response = await world.client.get("/slack/install", allow_redirects=False)
    assert response.status == 200, await response.text()
    link = re.search(r'<a href="([^"]+)"', await response.text())
    assert link is not None
    cookie = response.cookies[STATE_COOKIE].value
    world.client.session.cookie_jar.clear()  # each test sends the cookie it means to send
    return html.unescape(link.group(1)), cookie


async def redirect(world: SlackWorld, query: dict[str, str], cookie: str | None) -> Any:
    """Slack sending the installer's browser back: GET /slack/oauth_redirect."""
    headers = {"Cookie": f"{STATE_COOKIE}={cookie}"} if cookie is not None else {}
    return await world.client.get(
        "/slack/oauth_redirect", params=query, headers=headers, allow_redirects=False
    )


async def install_t2(world: SlackWorld) -> None:
    link, state = await start_install(world)
    response = await redirect(world, {"code": CODE, "state": state}, state)
    assert response.status == 200, await response.text()


def slack_messenger(world: SlackWorld) -> SlackMessenger:
    messenger = world.runtime.messengers.for_platform("slack")
    assert isinstance(messenger, SlackMessenger)
    return messenger


async def count(database: Database, table: Table) -> int:
    async with database.engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(table))).scalar_one()


async def every_stored_value(database: Database) -> list[str]:
    """Every value in every table, as the database holds it (no decryption)."""
    values: list[str] = []
    async with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = await connection.execute(text(f'SELECT * FROM "{table.name}"'))
            values += [str(value) for row in rows for value in row]
    return values


async def test_install_page_links_to_slack_with_a_state_cookie(oauth: SlackWorld):
    link, state = await start_install(oauth)
    assert link.startswith(f"{oauth.api_url}oauth/v2/authorize?")  # beside SLACK_API_URL
    assert f"state={state}" in link and f"client_id={CLIENT_ID}" in link
    assert f"scope={','.join(BOT_SCOPES)}&" in link
    async with oauth.runtime.database.engine.connect() as connection:
        stored = (await connection.execute(select(SLACK_OAUTH_STATES.c.state))).scalars().all()
    assert stored == [state]


async def test_install_stores_the_token_encrypted_and_t2_is_served_with_it(
    oauth: SlackWorld, test_vault: Vault
):
    database = oauth.runtime.database
    await install_t2(oauth)

    [exchange] = oauth.api.called("oauth.v2.access")
    assert exchange.args["code"] == CODE
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert exchange.token == f"Basic {basic}"
    assert await count(database, SLACK_INSTALLATIONS) == 1
    assert await count(database, SLACK_OAUTH_STATES) == 0  # the state is used up

    # Nowhere in the database is the token readable; the vault reads it back.
    assert not [value for value in await every_stored_value(database) if T2_TOKEN in value]
    async with database.engine.connect() as connection:
        for table in (SLACK_BOTS, SLACK_INSTALLATIONS):
            raw = (await connection.execute(text(f"SELECT bot_token FROM {table.name}"))).scalar()
            assert test_vault.decrypt(raw) == T2_TOKEN

    # /support in T2 opens the form with T2's token, and T2 is an organisation of its own.
    response = await oauth.command("ana")
    assert response.status == 200
    [opened] = oauth.api.called("views.open")
    assert opened.token == T2_TOKEN
    answer = await oauth.submit("ana", FORM)
    assert answer["response_action"] == "update"
    await oauth.run_jobs()
    ack = oauth.inbox("ana")[0]  # sent later, by the messenger: with T2's token too
    assert ack.action_ids == ["request.withdraw"]
    assert {call.token for call in oauth.api.called("chat.postMessage")} == {T2_TOKEN}
    async with database.session() as session:
        [workspace] = (await session.scalars(select(Workspace))).all()
        [request] = (await session.scalars(select(SupportRequest))).all()
    assert (workspace.platform, workspace.tenant_id) == ("slack", T2)
    assert request.organisation_id == workspace.organisation_id


async def test_install_states_nobody_came_back_with_are_purged(oauth: SlackWorld):
    _, fresh = await start_install(oauth)
    async with oauth.runtime.database.engine.begin() as connection:
        await connection.execute(
            insert(SLACK_OAUTH_STATES).values(state="abandoned", expire_at=datetime(2020, 1, 1))
        )
    await oauth.runtime.retention.purge()
    async with oauth.runtime.database.engine.connect() as connection:
        stored = (await connection.execute(select(SLACK_OAUTH_STATES.c.state))).scalars().all()
    assert stored == [fresh]


@pytest.mark.parametrize(
    ("query", "cookie", "status"),
    [
        ({"code": CODE}, None, 400),  # no state at all
        ({"code": CODE, "state": "{state}"}, None, 400),  # not the browser that started it
        ({"code": CODE, "state": "forged"}, "forged", 401),  # a state we never issued
        ({"code": "stolen", "state": "{state}"}, "{state}", 401),  # Slack refuses the code
    ],
)
async def test_a_bad_callback_is_refused_and_stores_nothing(
    oauth: SlackWorld, query: dict[str, str], cookie: str | None, status: int
):
    _, state = await start_install(oauth)
    query = {key: value.format(state=state) for key, value in query.items()}
    response = await redirect(oauth, query, cookie.format(state=state) if cookie else None)
    assert response.status == status
    assert "went wrong" in (await response.text()).lower()
    assert await count(oauth.runtime.database, SLACK_INSTALLATIONS) == 0
    assert await count(oauth.runtime.database, SLACK_BOTS) == 0


async def test_a_workspace_without_installation_is_told_with_crisis_lines(oauth: SlackWorld):
    await install_t2(oauth)
    oauth.team = TEAM  # never installed
    response = await oauth.command("ben")
    assert response.status == 200
    assert oauth.api.called("views.open") == []
    [told] = oauth.api.responses
    assert "not installed" in told["text"] and "988" in told["text"]


async def test_uninstall_deletes_the_installation_and_its_token(oauth: SlackWorld):
    database = oauth.runtime.database
    messenger = slack_messenger(oauth)
    await install_t2(oauth)
    assert await messenger.tokens(T2) == T2_TOKEN

    response = await oauth.event({"type": "app_uninstalled", "event_ts": "1700000000.1"})
    assert response.status == 200
    assert await count(database, SLACK_INSTALLATIONS) == 0
    assert await count(database, SLACK_BOTS) == 0
    with pytest.raises(NotInstalled):
        await messenger.send(
            Address(platform="slack", tenant_id=T2, user_id="UANA"),
            Message(kind="test", lines=["hi"]),
        )


async def test_a_revoked_bot_token_is_no_longer_used(oauth: SlackWorld):
    await install_t2(oauth)
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT2"]}}
    response = await oauth.event(revoked)
    assert response.status == 200
    messenger = slack_messenger(oauth)
    assert await messenger.tokens(T2) is None


async def test_a_single_workspace_app_has_no_install_routes(slack: SlackWorld):
    assert slack.platform.app.oauth_flow is None
    assert (await slack.client.get("/slack/install")).status == 404


def test_tables_are_slack_sdks_with_every_token_encrypted():
    """Our copies of slack_sdk's tables (and so migration 0002) follow slack_sdk's own."""
    metadata = MetaData()
    theirs = [
        SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots"),
        SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations"),
        AsyncSQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states"),
    ]
    for table in theirs:
        ours = Base.metadata.tables[table.name]
        assert set(ours.columns.keys()) == set(table.columns.keys()), table.name
        for column in table.columns:
            mine = ours.columns[column.name]
            assert (mine.nullable, mine.primary_key) == (column.nullable, column.primary_key)
            if column.name in SECRET_COLUMNS:
                assert isinstance(mine.type, EncryptedText), column.name
            else:
                assert repr(mine.type) == repr(column.type), column.name
        assert {(i.name, tuple(i.columns.keys())) for i in ours.indexes} == {
            (i.name, tuple(i.columns.keys())) for i in table.indexes
        }


def test_the_approval_page_is_beside_the_web_api():
    assert authorization_url("https://slack.com/api/") == "https://slack.com/oauth/v2/authorize"
    assert authorization_url("https://slack-gov.com/api") == (
        "https://slack-gov.com/oauth/v2/authorize"
    )
    assert authorization_url("http://127.0.0.1:8080/fake-slack/") is None


OAUTH = {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET}


@pytest.fixture
def no_slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("SLACK_")]:
        monkeypatch.delenv(name)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_SIGNING_SECRET": "s"}, "SLACK_CLIENT_SECRET"),
        ({"SLACK_CLIENT_SECRET": CLIENT_SECRET, "SLACK_SIGNING_SECRET": "s"}, "SLACK_CLIENT_ID"),
        (OAUTH, "SLACK_SIGNING_SECRET"),
        ({**OAUTH, "SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_BOT_TOKEN"),
        (
            {**OAUTH, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"},
            "SLACK_APP_TOKEN",
        ),
    ],
)
def test_an_incomplete_oauth_setup_names_the_variable(
    no_slack_env: None, env: dict[str, str], variable: str
):
    with pytest.raises(ConfigError) as raised:
        load_settings(_env_file=None, ENCRYPTION_KEYS=TEST_KEY, **env)
    message = str(raised.value)
    assert message.startswith(f"{variable}: ") and "\n" not in message


def test_oauth_settings_turn_on_slack(no_slack_env: None):
    settings = load_settings(_env_file=None, SLACK_SIGNING_SECRET=SIGNING_SECRET, **OAUTH)
    assert settings.slack_enabled and settings.slack_bot_token is None
