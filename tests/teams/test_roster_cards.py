"""The roster forms on Teams, through /api/messages: the coordinator's admin card opens a form in
its place (add a peer, remove a peer, add an override); a sent form is applied by the core with
its role check and audit trail, a wrong field comes back under that field and changes nothing,
and anyone but a coordinator, clicking an old or forwarded card, is refused and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select

from handlers.roster.admin import RosterAdmin
from models import AuditEvent, Override, Peer, Rotation, RotationMember, Tier
from tests.teams.conftest import TeamsWorld, actions_of, card_text, verbs
from tests.teams.test_flow import ask, offers_to

REFUSED = "the roster tools are for the programme's coordinators"


def new_peer(user: str = "aad-nell", trained_until: str = "2030-01-01") -> dict[str, str]:
    """What Teams sends for the add-peer form: the picker answers with the Entra object id."""
    return {
        "user": user,
        "user_id": "",
        "tier": "peer",
        "unit": "ICU",
        "languages": "en,es",
        "cap": "2",
        "trained_until": trained_until,
    }


def override(peer: str, starts: tuple[str, str], ends: tuple[str, str]) -> dict[str, str]:
    return {
        "peer": peer,
        "starts_at_date": starts[0],
        "starts_at_time": starts[1],
        "ends_at_date": ends[0],
        "ends_at_time": ends[1],
    }


async def count(teams: TeamsWorld, model: type) -> int:
    async with teams.runtime.database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def counts(teams: TeamsWorld) -> tuple[int, ...]:
    return tuple([await count(teams, model) for model in (Peer, Override, AuditEvent)])


async def audit_actions(teams: TeamsWorld) -> list[tuple[str, str]]:
    async with teams.runtime.database.session() as session:
        rows = await session.execute(select(AuditEvent.actor, AuditEvent.action))
        return [(actor, action) for actor, action in rows]


async def open_form(teams: TeamsWorld, name: str, form: str) -> dict[str, Any]:
    """Write "admin", then click the admin card's button for `form`: the form replaces it."""
    admin = await teams.say(name, "admin")
    [button] = [action for action in actions_of(admin) if action["data"]["value"] == form]
    card = await teams.click(name, button["verb"], button["data"])
    assert verbs(card) == ["admin:submit", "admin:menu"]
    return card


async def send(
    teams: TeamsWorld, name: str, form: dict[str, Any], answers: dict[str, str]
) -> dict[str, Any]:
    """Click the form's submit button with `answers` in its inputs (Teams merges them in)."""
    [submit] = [action for action in form["actions"] if action["verb"] == "admin:submit"]
    return await teams.click(name, "admin:submit", {**submit["data"], **answers})


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in card["body"] if item["type"].startswith("Input.")}


def error_under(card: dict[str, Any], field: str) -> str | None:
    """The text block right under input `field`, if it is an error."""
    body = card["body"]
    index = next(i for i, item in enumerate(body) if item.get("id") == field)
    after = body[index + 1] if index + 1 < len(body) else {}
    return after.get("text") if after.get("color") == "Attention" else None


def choice(card: dict[str, Any], field: str, title: str) -> str:
    return next(c["value"] for c in inputs(card)[field]["choices"] if title in c["title"])


async def coordinator(teams: TeamsWorld, name: str = "cy", locale: str = "en-US") -> int:
    await teams.install(name, locale)
    return await teams.make_peer(name, Tier.COORDINATOR)


async def test_a_coordinator_adds_a_peer_and_puts_them_on_call_and_they_get_an_offer(
    teams: TeamsWorld,
) -> None:
    cy = await coordinator(teams)
    await teams.install("nell")  # known to the bot: the card names her as Teams does
    async with teams.runtime.database.session() as session:
        organisation_id = (await session.get(Peer, cy)).organisation_id  # type: ignore[union-attr]
    await RosterAdmin(teams.runtime.database).update_settings(
        None, organisation_id, time_zone="Europe/Madrid"
    )

    form = await open_form(teams, "cy", "add_peer")
    fields = inputs(form)
    assert set(fields) == {"user", "user_id", "tier", "unit", "languages", "cap", "trained_until"}
    assert fields["user"]["choices.data"] == {
        "type": "Data.Query",
        "dataset": "graph.microsoft.com/users",
    }
    assert fields["trained_until"]["type"] == "Input.Date"
    assert fields["languages"]["isMultiSelect"] is True
    done = await send(teams, "cy", form, new_peer())
    assert "Nell is on the roster as peer supporter" in card_text(done)
    assert verbs(done) == ["admin:menu"]

    form = await open_form(teams, "cy", "add_override")
    assert "Europe/Madrid" in card_text(form)
    assert [fields["type"] for fields in inputs(form).values()] == [
        "Input.ChoiceSet",
        "Input.Date",
        "Input.Time",
        "Input.Date",
        "Input.Time",
    ]
    nell = choice(form, "peer", "Nell")
    # now is 14:00 UTC, 15:00 in Madrid
    answer = override(nell, ("2026-11-23", "14:55"), ("2026-11-23", "23:00"))
    done = await send(teams, "cy", form, answer)
    assert "Override added: Nell" in card_text(done)
    async with teams.runtime.database.session() as session:
        added = await session.scalar(select(Override).where(Override.peer_id == int(nell)))
    assert added is not None
    assert added.starts_at == datetime(2026, 11, 23, 13, 55, tzinfo=UTC)
    assert added.ends_at == datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    actions = await audit_actions(teams)
    assert (f"peer:{cy}", "peer_added") in actions and (f"peer:{cy}", "override_added") in actions

    await ask(teams, "rita")
    [offer] = offers_to(teams, "nell")
    assert "Rita" not in card_text(offer.card)

    back = await teams.click("cy", "admin:menu", {})
    assert "Now to" in card_text(back) and "Nell (peer supporter)" in card_text(back)


async def test_a_wrong_field_is_shown_under_it_and_changes_nothing(teams: TeamsWorld) -> None:
    await coordinator(teams)
    await teams.install("ana")
    await teams.make_peer("ana")
    before = await counts(teams)

    form = await open_form(teams, "cy", "add_peer")
    again = await send(teams, "cy", form, new_peer(trained_until="2020-01-01"))
    assert "from today on" in (error_under(again, "trained_until") or "")
    assert [error_under(again, field) for field in ("user_id", "unit", "cap")] == [None] * 3
    assert inputs(again)["unit"]["value"] == "ICU"  # the answers are kept
    assert inputs(again)["user"]["value"] == "aad-nell"
    assert verbs(again) == ["admin:submit", "admin:menu"]

    nobody = {**new_peer(user=""), "user_id": "nell@hospital.example"}
    again = await send(teams, "cy", form, nobody)
    assert "not a Microsoft Entra object ID" in (error_under(again, "user_id") or "")

    form = await open_form(teams, "cy", "add_override")
    ana = choice(form, "peer", "Ana")
    bad_date = override(ana, ("2026-02-30", "09:00"), ("2026-11-24", "09:00"))
    again = await send(teams, "cy", form, bad_date)
    assert error_under(again, "starts_at_time") == "Choose a date and time."
    backwards = override(ana, ("2026-11-24", "09:00"), ("2026-11-24", "08:00"))
    again = await send(teams, "cy", form, backwards)
    assert error_under(again, "ends_at_time") == "The end must be after the start."
    assert error_under(again, "starts_at_time") is None

    assert await counts(teams) == before


async def test_a_coordinator_removes_a_peer(teams: TeamsWorld) -> None:
    cy = await coordinator(teams)
    await teams.install("ana")
    ana = await teams.make_peer("ana")

    form = await open_form(teams, "cy", "remove_peer")
    done = await send(teams, "cy", form, {"peer": choice(form, "peer", "Ana")})

    assert "Ana is off the roster" in card_text(done)
    async with teams.runtime.database.session() as session:
        assert (await session.get(Peer, ana)).active is False  # type: ignore[union-attr]
    assert (f"peer:{cy}", "peer_removed") in await audit_actions(teams)


async def test_anyone_else_clicking_an_old_card_is_refused_and_nothing_changes(
    teams: TeamsWorld,
) -> None:
    await coordinator(teams)
    await teams.install("ana")
    ana = await teams.make_peer("ana")
    add_form = await open_form(teams, "cy", "add_peer")
    override_form = await open_form(teams, "cy", "add_override")
    remove_form = await open_form(teams, "cy", "remove_peer")
    before = await counts(teams)

    await teams.install("rita")
    for name in ("ana", "rita"):  # a peer, and someone not on the roster
        opened = await teams.click(name, "admin:open", {"value": "add_peer"})
        for card in (
            opened,
            await send(teams, name, add_form, new_peer(f"aad-{name}")),
            await send(
                teams,
                name,
                override_form,
                override(str(ana), ("2026-11-23", "14:00"), ("2026-11-24", "14:00")),
            ),
            await send(teams, name, remove_form, {"peer": str(ana)}),
            await teams.click(name, "admin:menu", {}),
        ):
            assert REFUSED in card_text(card)
            assert verbs(card) == [] and "Ana" not in card_text(card)

    assert await counts(teams) == before
    async with teams.runtime.database.session() as session:
        assert (await session.get(Peer, ana)).active is True  # type: ignore[union-attr]


async def test_the_forms_speak_spanish(teams: TeamsWorld) -> None:
    await coordinator(teams, locale="es-ES")

    admin = await teams.say("cy", "administrar")
    assert [action["title"] for action in actions_of(admin)] == [
        "Añadir compañero",
        "Quitar compañero",
        "Añadir un turno rotatorio",
        "Añadir cambio de guardia",
        "Registrar un evento",
        "Organizar una sesión de grupo",
    ]
    form = await open_form(teams, "cy", "add_peer")
    assert inputs(form)["user"]["placeholder"] == "Busca en tu organización"
    again = await send(teams, "cy", form, new_peer(trained_until="2020-01-01"))
    assert error_under(again, "trained_until") == (
        "Escribe una fecha a partir de hoy (con la formación caducada no se reciben solicitudes)."
    )
    assert "ID de objeto de Microsoft Entra" in card_text(again)


async def test_a_coordinator_sets_up_a_rotation_by_card(teams: TeamsWorld) -> None:
    cy = await coordinator(teams)
    for name in ("ana", "ben"):
        await teams.install(name)
        await teams.make_peer(name)
    form = await open_form(teams, "cy", "add_rotation")
    assert "time zone, UTC" in card_text(form)  # the handoff is meant there
    ana, ben = choice(form, "peers", "Ana"), choice(form, "peers", "Ben")
    answers = {
        "name": "Nights",
        "rotation_tier": "backup",
        "peers": "",
        "starts_on": "2026-12-01",
        "handoff": "20:00",
        "hours": "12",
    }
    again = await send(teams, "cy", form, answers)
    assert error_under(again, "peers") == "Choose one or more peer supporters from the list."
    assert inputs(again)["name"]["value"] == "Nights"  # the answers are kept
    done = await send(teams, "cy", again, {**answers, "peers": f"{ben},{ana}"})
    assert "Rotation Nights added: Ben, Ana take turns, 12 hours each." in card_text(done)
    async with teams.runtime.database.session() as session:
        rotation = await session.scalar(select(Rotation))
        assert rotation is not None
        members = list(
            await session.scalars(
                select(RotationMember.peer_id)
                .where(RotationMember.rotation_id == rotation.id)
                .order_by(RotationMember.position)
            )
        )
    assert (rotation.name, rotation.tier, rotation.shift_hours) == ("Nights", "backup", 12)
    assert (rotation.starts_on, rotation.handoff_time) == (date(2026, 12, 1), time(20))
    assert members == [int(ben), int(ana)]
    assert (f"peer:{cy}", "rotation_added") in await audit_actions(teams)
