"""The sandbox page and its JSON endpoints, plus the fake Slack Web API under `/slack/`.

The page asks for actions ("Rita types /support", "Ana clicks Accept"); each becomes the signed
request Slack would send the bot. What the bot does in return reaches the page only through the
fake Web API's record of it, which `GET /sandbox/state` long-polls.
"""

from __future__ import annotations

import asyncio
import json
from importlib import resources
from typing import Any, Protocol

from aiohttp import web
from sqlalchemy import select

from bot.runtime import Runtime
from bot.sandbox import demo
from bot.sandbox.clock import SandboxClock
from bot.sandbox.slack_api import FakeSlackApi
from bot.sandbox.slack_client import Delivery, SignedSlack
from handlers.core.i18n import SUPPORTED_LOCALES, pick_locale, t
from handlers.roster.on_call import on_call
from models import ChatIdentity, Peer, Tier

LONG_POLL_SECONDS = 20.0
MAX_ADVANCE_MINUTES = 31 * 24 * 60
ALLOWED_HOSTS = ("127.0.0.1", "localhost")
STATIC = ("index.html", "sandbox.js", "sandbox.css")
CONTENT_TYPES = {"html": "text/html", "js": "text/javascript", "css": "text/css"}
# The Slack locale a demo person's language switch sets, as Slack's users.info gives it.
SLACK_LOCALES = {"en": "en-US", "es": "es-ES"}
# The page's own texts (catalog keys `sandbox.<name>`), in the language of the person shown;
# `{placeholders}` are filled in by the page.
LABELS = (
    "banner", "clock", "plus_10_min", "plus_hour", "plus_day", "next_job", "next_job_hint",
    "no_job", "pulse", "reset", "reset_confirm", "people", "be_someone", "legend", "language",
    "tab_messages", "tab_home", "composer", "send", "empty", "home_opening", "time", "ahead",
    "real_time", "on_call_now", "unread", "edited", "ephemeral", "required", "close",
    "select_option", "select_person", "app_tag", "sandbox_answered", "bot_answered", "unreachable",
)  # fmt: skip


class Sandbox(Protocol):
    """What the page works with: the fake Slack it shows, the clock it moves, and the bot."""

    api: FakeSlackApi
    clock: SandboxClock
    runtime: Runtime | None
    slack: SignedSlack | None

    async def advance(self, minutes: float) -> int: ...

    async def next_job(self) -> dict[str, Any] | None: ...

    async def skip_to_next_job(self) -> int: ...

    async def next_pulse(self) -> int: ...

    async def reset(self) -> None: ...


SANDBOX = web.AppKey("sandbox", Sandbox)


class Refused(web.HTTPBadRequest):
    def __init__(self, reason: str) -> None:
        super().__init__(text=json.dumps({"error": reason}), content_type="application/json")


@web.middleware
async def loopback_only(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    """Bound to 127.0.0.1 already; refusing other Host names also stops DNS rebinding."""
    if (request.host or "").rsplit(":", 1)[0] not in ALLOWED_HOSTS:
        raise web.HTTPForbidden(text="the sandbox answers on 127.0.0.1 only")
    return await handler(request)


@web.middleware
async def own_page_only(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    """The page's actions come from the page: JSON (which another site cannot send without
    asking first) and, when the browser says where from, from this origin. Without this any
    web page open in the same browser could reset the sandbox."""
    if request.method == "POST" and request.path.startswith("/sandbox/"):
        if request.content_type != "application/json":
            raise web.HTTPUnsupportedMediaType(text="the sandbox's actions are JSON")
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"{request.scheme}://{request.host}":
            raise web.HTTPForbidden(text="the sandbox answers its own page only")
    return await handler(request)


def _asset(name: str) -> bytes:
    return resources.files("bot.sandbox").joinpath("static", name).read_bytes()


async def static(request: web.Request) -> web.Response:
    name = request.match_info.get("name") or "index.html"
    if name not in STATIC:
        raise web.HTTPNotFound()
    content_type = CONTENT_TYPES[name.rsplit(".", 1)[1]]
    return web.Response(
        body=_asset(name), content_type=content_type, headers={"Cache-Control": "no-store"}
    )


async def _body(request: web.Request) -> tuple[Sandbox, dict[str, Any], str]:
    sandbox = request.app[SANDBOX]
    try:
        body = await request.json()
    except ValueError:
        raise Refused("expected a JSON body") from None
    user = str(body.get("user", "")) if isinstance(body, dict) else ""
    if user not in sandbox.api.users:
        raise Refused("unknown person")
    return sandbox, body, user


def _answer(delivery: Delivery) -> web.Response:
    """What the bot's web server said, for the page to show if it was not a 200."""
    return web.json_response({"status": delivery.status})


def _name(sandbox: Sandbox, user: str) -> str:
    return sandbox.api.users[user].name


def _slack(sandbox: Sandbox) -> SignedSlack:
    if sandbox.slack is None:
        raise web.HTTPServiceUnavailable(text="the sandbox is starting")
    return sandbox.slack


async def command(request: web.Request) -> web.Response:
    sandbox, body, user = await _body(request)
    name, _, text = str(body.get("text", "")).strip().partition(" ")
    if name != "/support":
        raise Refused(f"{name} is not a command in this workspace; try /support")
    delivery = await _slack(sandbox).command(user, _name(sandbox, user), name, text.strip())
    return _answer(delivery)


async def submit(request: web.Request) -> web.Response:
    sandbox, body, user = await _body(request)
    modal = sandbox.api.modal(user)
    values = body.get("values")
    if modal is None or not isinstance(values, dict):
        raise Refused("no form is open")
    delivery = await _slack(sandbox).view_submission(user, _name(sandbox, user), modal, values)
    if delivery.status == 200:
        sandbox.api.show_submission_answer(user, delivery.json())
    return _answer(delivery)


async def close_modal(request: web.Request) -> web.Response:
    sandbox, _body_, user = await _body(request)
    sandbox.api.close_modal(user)
    return web.json_response({"status": 200})


def _element(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any] | None:
    for block in blocks:
        elements = block.get("elements") if block.get("type") == "actions" else None
        elements = elements or ([block["accessory"]] if "accessory" in block else [])
        for element in elements:
            if element.get("action_id") == action_id:
                return {**element, "block_id": block.get("block_id", "sandbox")}
    return None


async def click(request: web.Request) -> web.Response:
    sandbox, body, user = await _body(request)
    action_id = str(body.get("action_id", ""))
    slack, name = _slack(sandbox), _name(sandbox, user)
    if body.get("home") or body.get("modal"):
        view = sandbox.api.modal(user) if body.get("modal") else sandbox.api.home.get(user)
        element = _element(view.get("blocks", []), action_id) if view else None
        if view is None or element is None:
            raise Refused("no such button")
        return _answer(await slack.block_action(user, name, element, view=view))
    channel = sandbox.api.dm_of(user)
    message = next((m for m in sandbox.api.dm(user) if m["ts"] == body.get("ts")), None)
    element = _element(message.get("blocks", []), action_id) if message else None
    if message is None or element is None:
        raise Refused("no such button")
    return _answer(await slack.block_action(user, name, element, message=message, channel=channel))


async def say(request: web.Request) -> web.Response:
    sandbox, body, user = await _body(request)
    text = str(body.get("text", "")).strip()
    if not text:
        raise Refused("nothing to send")
    channel = sandbox.api.dm_of(user)
    message = sandbox.api.post_from_user(user, text)
    return _answer(await _slack(sandbox).direct_message(user, channel, text, message["ts"]))


async def home_opened(request: web.Request) -> web.Response:
    sandbox, _body_, user = await _body(request)
    return _answer(await _slack(sandbox).home_opened(user, sandbox.api.dm_of(user)))


async def language(request: web.Request) -> web.Response:
    """A demo person's Slack language, switched as in Slack's preferences: Slack then tells
    the bot (the user_change event), so what it sends them next is in that language."""
    sandbox, body, user = await _body(request)
    locale = str(body.get("locale", ""))
    if locale not in SUPPORTED_LOCALES:
        raise Refused(f"locale: one of {', '.join(SUPPORTED_LOCALES)}")
    person = sandbox.api.users[user]
    person.locale = SLACK_LOCALES[locale]
    delivery = await _slack(sandbox).event(
        {
            "type": "user_change",
            "user": {
                "id": person.id,
                "team_id": demo.TEAM,
                "name": person.name.lower(),
                "real_name": person.name,
                "tz": person.tz,
                "locale": person.locale,
                "profile": {"real_name": person.name, "display_name": person.name},
            },
        }
    )
    sandbox.api.touch()
    return _answer(delivery)


def _locale(sandbox: Sandbox, user: str) -> str:
    return pick_locale(sandbox.api.users[user].locale)


async def clock(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    try:
        body = await request.json()
    except ValueError:
        raise Refused("expected a JSON body") from None
    body = body if isinstance(body, dict) else {}
    minutes = body.get("minutes")
    if body.get("move") == "next_job":
        ran = await sandbox.skip_to_next_job()
    elif body.get("move") == "next_pulse":
        ran = await sandbox.next_pulse()
    elif type(minutes) is int and 0 < minutes <= MAX_ADVANCE_MINUTES:
        ran = await sandbox.advance(minutes)
    else:
        raise Refused(f"give minutes (1 to {MAX_ADVANCE_MINUTES}), or move: next_job or next_pulse")
    return web.json_response({"status": 200, "jobs": ran})


async def reset(request: web.Request) -> web.Response:
    await request.app[SANDBOX].reset()
    return web.json_response({"status": 200})


async def _on_call(sandbox: Sandbox) -> dict[str, str]:
    """User id -> the tier they are on call for now (demo people only)."""
    assert sandbox.runtime is not None
    now = sandbox.clock()
    async with sandbox.runtime.database.session() as session:
        organisation = await demo.organisation_of(session)
        if organisation is None:
            return {}
        tiers: dict[int, str] = {}
        for tier in Tier:
            for peer in await on_call(session, organisation, tier, now):
                tiers.setdefault(peer.id, tier.value)
        rows = await session.execute(
            select(Peer.id, ChatIdentity).join(ChatIdentity, ChatIdentity.id == Peer.identity_id)
        )
        return {identity.user_id: tiers[peer_id] for peer_id, identity in rows if peer_id in tiers}


async def state(request: web.Request) -> web.Response:
    """Everything the page shows; with `since`, answers once something changed past it."""
    sandbox = request.app[SANDBOX]
    try:
        since = int(request.query.get("since", "-1"))
    except ValueError:
        raise Refused("since: expected a number") from None
    try:
        async with asyncio.timeout(LONG_POLL_SECONDS):
            await sandbox.api.wait_for_change(since)
    except TimeoutError:
        pass
    api = sandbox.api
    on_duty = await _on_call(sandbox)
    people = [
        {
            "id": person.user_id,
            "name": person.name,
            "role": t(_locale(sandbox, person.user_id), f"sandbox.role.{person.role}"),
            "locale": _locale(sandbox, person.user_id),
            "on_call": on_duty.get(person.user_id),
        }
        for person in demo.PEOPLE
    ]
    labels = {
        locale: {name: t(locale, f"sandbox.{name}") for name in LABELS}
        for locale in SUPPORTED_LOCALES
    }
    return web.json_response(
        {
            "version": api.version,
            "now": sandbox.clock().isoformat(),
            "offset_minutes": round(sandbox.clock.offset.total_seconds() / 60),
            "time_zone": demo.TIME_ZONE,
            "next_job": await sandbox.next_job(),
            "bot_user": api.bot_user_id,
            "people": people,
            "languages": {locale: t(locale, f"language.{locale}") for locale in SUPPORTED_LOCALES},
            "labels": labels,
            "dms": {person["id"]: api.dm(person["id"]) for person in people},
            "homes": {user: view for user, view in api.home.items()},
            "modals": {person["id"]: api.modal(person["id"]) for person in people},
        }
    )


def page_app(sandbox: Sandbox) -> web.Application:
    app = web.Application(middlewares=[loopback_only, own_page_only])
    app[SANDBOX] = sandbox
    app.router.add_get("/", static)
    app.router.add_get("/static/{name}", static)
    app.router.add_get("/sandbox/state", state)
    for path, handler in (
        ("command", command),
        ("submit", submit),
        ("close", close_modal),
        ("click", click),
        ("say", say),
        ("home", home_opened),
        ("language", language),
        ("clock", clock),
        ("reset", reset),
    ):
        app.router.add_post(f"/sandbox/{path}", handler)
    app.add_subapp("/slack", sandbox.api.app)
    return app
