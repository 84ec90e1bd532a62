"""The sandbox without a browser: it refuses real credentials, signs like Slack, seeds its
demo organisation once, resets, and its fake Slack API enforces rate limits when asked."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.sandbox import demo
from bot.sandbox.clock import SandboxClock
from bot.sandbox.server import LOOPBACK, Ports, Sandbox, nothing_configured
from bot.sandbox.slack_api import FakeSlackApi
from bot.sandbox.slack_state import RateLimiter, SlackUser
from bot.slack.client import web_client
from config.settings import ConfigError
from models import Peer, Rotation, SupportRequest
from models.crypto import Vault, configure_vault
from tests.sandbox.conftest import sandbox_settings
from tests.slack.conftest import FORM, modal_state


def test_refuses_to_start_with_real_slack_credentials(tmp_path: Path) -> None:
    settings = sandbox_settings(tmp_path).model_copy(update={"slack_bot_token": "xoxb-real"})
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN: real Slack credentials"):
        Sandbox(settings)


def test_the_command_says_so_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    script = Path(sys.executable).with_name("peer-support")
    done = subprocess.run(
        [str(script), "sandbox"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: SLACK_BOT_TOKEN: real Slack credentials are configured, so the sandbox will not "
        "start; unset them to try the sandbox, or run `peer-support serve`"
    ]


def test_refuses_the_bots_own_database(tmp_path: Path) -> None:
    settings = sandbox_settings(tmp_path).model_copy(
        update={"database_url": "sqlite+aiosqlite:///hospital.db"}
    )
    with pytest.raises(ConfigError, match="--database-url: it is DATABASE_URL"):
        Sandbox(settings, database_url="sqlite+aiosqlite:///hospital.db")


def test_start_picks_the_sandbox_only_when_nothing_is_configured(tmp_path: Path) -> None:
    settings = sandbox_settings(tmp_path)
    assert nothing_configured(settings)
    assert not nothing_configured(settings.model_copy(update={"teams_enabled": True}))
    assert not nothing_configured(settings.model_copy(update={"slack_client_id": "1.2"}))
    assert not nothing_configured(settings.model_copy(update={"environment": "production"}))


def test_the_clock_only_moves_forward() -> None:
    clock = SandboxClock()
    before = clock()
    clock.advance(timedelta(days=1))
    assert clock() - before >= timedelta(days=1)
    clock.advance_to(before)  # in the past: nothing happens
    assert clock() - before >= timedelta(days=1)
    with pytest.raises(ValueError):
        clock.advance(timedelta(minutes=-1))


async def opened_modal(sandbox: Sandbox, user_id: str) -> dict[str, Any]:
    """The modal on `user_id`'s screen, waited for: it opens just after the acknowledgement."""
    for _ in range(200):
        if (modal := sandbox.api.modal(user_id)) is not None:
            return modal
        await asyncio.sleep(0.05)
    raise AssertionError(f"no modal opened for {user_id}")


async def test_demo_data_once_and_reset(sandbox: Sandbox) -> None:
    assert sandbox.runtime is not None
    database = sandbox.runtime.database

    async def count(model: type) -> int:
        async with database.session() as session:
            return await session.scalar(select(func.count()).select_from(model)) or 0

    assert await count(Peer) == 5 and await count(Rotation) == 4
    assert sandbox.slack is not None
    delivery = await sandbox.slack.command("U0RITA", "Rita", "/support", "")
    assert delivery.status == 200  # signed as Slack signs: the bot accepted it
    modal = await opened_modal(sandbox, "U0RITA")
    assert modal["callback_id"] == "intake"

    await sandbox.advance(90)
    assert sandbox.clock.offset == timedelta(minutes=90)
    await sandbox.reset()
    assert sandbox.clock.offset == timedelta()
    assert sandbox.api.modal("U0RITA") is None
    assert await count(Peer) == 5 and await count(SupportRequest) == 0
    assert await demo.is_seeded(database)


async def test_a_restart_keeps_the_demo_and_what_was_asked(
    tmp_path: Path, test_vault: Vault
) -> None:
    """The demo is created on first start only; a restart on the same database keeps it and the
    requests made, and every socket listens on loopback alone."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'kept.db'}"
    try:
        for run in range(2):
            instance = Sandbox(
                sandbox_settings(tmp_path),
                database_url=database_url,
                ports=Ports(bot=0, page=0),
            )
            await instance.start()
            try:
                bound = [
                    sock.getsockname()[0]
                    for runner in instance._runners
                    for site in runner.sites
                    for sock in [site._sock]  # type: ignore[attr-defined]
                ]
                assert bound == [LOOPBACK, LOOPBACK]
                assert instance.runtime is not None and instance.slack is not None
                database = instance.runtime.database
                async with database.session() as session:
                    peers = await session.scalar(select(func.count()).select_from(Peer))
                    asked = await session.scalar(select(func.count()).select_from(SupportRequest))
                assert (peers, asked) == (5, run)  # seeded once; the first run's request kept
                if run == 0:
                    await instance.slack.command("U0RITA", "Rita", "/support", "")
                    modal = await opened_modal(instance, "U0RITA")
                    values = modal_state(FORM)
                    delivery = await instance.slack.view_submission("U0RITA", "Rita", modal, values)
                    assert delivery.status == 200
                    for _ in range(100):
                        async with database.session() as session:
                            if await session.scalar(
                                select(func.count()).select_from(SupportRequest)
                            ):
                                break
                        await asyncio.sleep(0.05)
            finally:
                await instance.stop()
    finally:
        configure_vault(test_vault)


async def test_a_forged_signature_is_refused(sandbox: Sandbox) -> None:
    assert sandbox.slack is not None
    forged = sandbox.slack.__class__(
        events_url=sandbox.slack.events_url,
        signing_secret="not-the-secret",
        team_id=demo.TEAM,
        bot_user_id=demo.BOT_USER,
        respond_base=sandbox.slack.respond_base,
    )
    assert (await forged.command("U0RITA", "Rita", "/support", "")).status == 401


async def test_the_page_answers_on_loopback_names_only(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(sandbox.page_url) as response:
            assert response.status == 200
            assert "SANDBOX" in await response.text()
        unknown = {"user": "U0RITA", "text": "/giphy cats"}
        async with session.post(f"{sandbox.page_url}sandbox/command", json=unknown) as response:
            assert response.status == 400
            assert "not a command" in (await response.json())["error"]
        headers = {"Host": "attacker.example"}
        async with session.get(f"{sandbox.page_url}sandbox/state", headers=headers) as response:
            assert response.status == 403


async def test_another_web_page_cannot_act_on_the_sandbox(sandbox: Sandbox) -> None:
    await sandbox.advance(90)
    reset = f"{sandbox.page_url}sandbox/reset"
    async with aiohttp.ClientSession() as session:
        # What a form on another site can send without asking: not JSON.
        async with session.post(reset, data={"user": "U0RITA"}) as response:
            assert response.status == 415
        # JSON from another origin (a browser says where a request comes from).
        cross = {"Origin": "http://attacker.example"}
        async with session.post(reset, json={}, headers=cross) as response:
            assert response.status == 403
        assert sandbox.clock.offset == timedelta(minutes=90)  # nothing was reset
        own = {"Origin": sandbox.page_url.rstrip("/")}
        async with session.post(reset, json={}, headers=own) as response:
            assert response.status == 200
    assert sandbox.clock.offset == timedelta()


async def test_fake_slack_rate_limits_with_retry_after() -> None:
    api = FakeSlackApi(token="xoxb-t", rate_limits=RateLimiter())
    api.add_user(SlackUser("U1", "One"))
    server = TestServer(api.app)
    await server.start_server()
    try:
        headers = {"Authorization": "Bearer xoxb-t"}
        url = str(server.make_url("/api/chat.postMessage"))
        async with aiohttp.ClientSession() as session:
            statuses = []
            for _ in range(2):
                async with session.post(url, json={"channel": "U1"}, headers=headers) as response:
                    statuses.append((response.status, response.headers.get("Retry-After")))
        assert statuses == [(200, None), (429, "1")]
        assert api.throttled == 1 and len(api.dm("U1")) == 1
    finally:
        await server.close()


async def test_fake_slack_takes_a_chart_upload_and_shows_it_in_the_dm() -> None:
    """`/support report` uploads its chart with slack_sdk's files_upload_v2: the sandbox shows
    it in the coordinator's DM as an image the page can load."""
    api = FakeSlackApi(token="xoxb-t")
    api.add_user(SlackUser("U1", "One"))
    server = TestServer(api.app)
    await server.start_server()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    try:
        client = web_client(str(server.make_url("/api/")), "xoxb-t")
        await client.files_upload_v2(
            file=png, filename="trend.png", title="Trend", channel=api.dm_of("U1")
        )
        [message] = api.dm("U1")
        [image] = message["blocks"]
        assert image["type"] == "image" and image["alt_text"] == "Trend"
        async with aiohttp.ClientSession() as session, session.get(image["image_url"]) as got:
            assert got.status == 200 and got.content_type == "image/png"
            assert await got.read() == png
    finally:
        await server.close()


async def test_the_demo_walks_a_reach_in_cy_reaches_rita_and_two_others(sandbox: Sandbox) -> None:
    """The README's walk: Cy records an event from `/support admin` and picks Rita, Sam and
    Tess; each finds the private offer in their messages."""
    assert sandbox.slack is not None
    await sandbox.slack.command("U0CY", "Cy", "/support", "admin")
    menu = await opened_modal(sandbox, "U0CY")
    button = next(
        element
        for block in menu["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == "admin:record_event"
    )
    await sandbox.slack.block_action("U0CY", "Cy", {**button, "block_id": "b"}, view=menu)
    for _ in range(200):
        form = sandbox.api.modal("U0CY")
        if form is not None and form.get("callback_id") == "admin.record_event":
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the event form did not open")
    day = sandbox.clock().date().isoformat()
    values = {
        "occurred_on": {"occurred_on": {"type": "datepicker", "selected_date": day}},
        "category": {
            "category": {"type": "static_select", "selected_option": {"value": "patient_death"}}
        },
        "people": {
            "people": {
                "type": "multi_users_select",
                "selected_users": ["U0RITA", "U0SAM", "U0TESS"],
            }
        },
    }
    delivery = await sandbox.slack.view_submission("U0CY", "Cy", form, values)
    assert delivery.status == 200
    await sandbox.advance(1)
    for user_id in ("U0RITA", "U0SAM", "U0TESS"):
        for _ in range(200):
            if any("A colleague is thinking of you" in str(m) for m in sandbox.api.dm(user_id)):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"{user_id} got no reach-in")


async def test_a_person_switched_to_spanish_gets_spanish_from_the_bot_and_the_page(
    sandbox: Sandbox,
) -> None:
    """The language switch is the person's Slack language: the peers switched to Spanish get
    the next offer in Spanish, Rita keeps her English, and the page's own labels follow the
    person shown."""
    url = sandbox.page_url
    async with aiohttp.ClientSession() as session:
        refused = {"user": "U0ANA", "locale": "fr"}
        async with session.post(f"{url}sandbox/language", json=refused) as response:
            assert response.status == 400
        for peer in ("U0ANA", "U0BEN", "U0CLEO"):
            switch = {"user": peer, "locale": "es"}
            async with session.post(f"{url}sandbox/language", json=switch) as response:
                assert response.status == 200 and (await response.json())["status"] == 200
        async with session.get(f"{url}sandbox/state") as response:
            state = await response.json()
        people = {person["id"]: person for person in state["people"]}
        assert people["U0ANA"]["locale"] == "es" and people["U0RITA"]["locale"] == "en"
        assert people["U0ANA"]["role"] == "compañero de apoyo"
        assert people["U0RITA"]["role"] == "clinician, emergency department"
        spanish, english = state["labels"]["es"], state["labels"]["en"]
        assert (spanish["send"], spanish["tab_home"], spanish["reset"]) == (
            "Enviar",
            "Inicio",
            "Reiniciar la demo",
        )
        assert english["send"] == "Send"
        assert state["languages"] == {"en": "English", "es": "Español"}
        async with session.get(url) as response:
            assert 'data-label="send"' in await response.text()  # the page fills it in

        ask = {"user": "U0RITA", "text": "/support"}
        async with session.post(f"{url}sandbox/command", json=ask) as response:
            assert response.status == 200
        await opened_modal(sandbox, "U0RITA")
        form = {"user": "U0RITA", "values": modal_state(FORM)}
        async with session.post(f"{url}sandbox/submit", json=form) as response:
            assert response.status == 200
    offers: list[str] = []
    for _ in range(200):
        await sandbox.catch_up()
        offers = [
            str(message)
            for peer in ("U0ANA", "U0BEN", "U0CLEO")
            for message in sandbox.api.dm(peer)
            if "offer.accept" in str(message)
        ]
        if offers:
            break
        await asyncio.sleep(0.05)
    assert offers, "no peer got an offer"
    for offer in offers:
        assert "Un compañero pide apoyo entre iguales" in offer
        assert "A colleague would like peer support" not in offer
    assert any("peer supporter" in str(message) for message in sandbox.api.dm("U0RITA"))
