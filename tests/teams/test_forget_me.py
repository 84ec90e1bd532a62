"""Forget-me asks once on Teams: "forget me" answers with a card that says what erasure does,
with *Erase my data* and *Keep my data*; nothing changes until the first is clicked."""

from __future__ import annotations

from sqlalchemy import select

from models import SupportRequest
from tests.teams.conftest import TeamsWorld, card_text, verbs
from tests.teams.test_commands import identity_count
from tests.teams.test_flow import ask, offers_to, on_call


async def test_forget_me_asks_then_erases_and_withdraws(teams: TeamsWorld) -> None:
    await on_call(teams, "pia")
    await ask(teams, "rita", note="the night of the fall")
    before = await identity_count(teams)
    question = await teams.say("rita", "forget me")
    assert "Erase your data?" in card_text(question) and "will be withdrawn" in card_text(question)
    assert verbs(question) == ["forget.confirm", "forget.cancel"]
    assert "This chat itself stays in Microsoft Teams" in card_text(question)
    async with teams.runtime.database.session() as session:
        [request] = list(await session.scalars(select(SupportRequest)))
    assert request.status == "open" and await identity_count(teams) == before

    erased = await teams.click("rita", "forget.confirm", {"value": ""})
    assert "Your data has been erased" in card_text(erased) and verbs(erased) == []
    await teams.run_jobs()
    async with teams.runtime.database.session() as session:
        [request] = list(await session.scalars(select(SupportRequest)))
    assert request.status == "withdrawn" and request.note is None
    assert await identity_count(teams) == before - 1
    assert len(offers_to(teams, "pia")) == 1
    [update] = teams.connector.updates("a:personal-pia")
    assert verbs(update.card) == [] and "withdrawn" in card_text(update.card).lower()
    again = await teams.click("rita", "forget.confirm", {"value": ""})  # a double click
    assert "erased" in card_text(again) or "I hold no data" in card_text(again)
    assert await identity_count(teams) == before - 1


async def test_keep_my_data_changes_nothing_in_spanish(teams: TeamsWorld) -> None:
    await teams.install("eva", locale="es-ES")
    before = await identity_count(teams)
    question = await teams.say("eva", "borrar mis datos")
    assert "¿Borrar tus datos?" in card_text(question)
    kept = await teams.click("eva", "forget.cancel", {"value": ""})
    assert "No se ha borrado nada" in card_text(kept)
    assert await identity_count(teams) == before
