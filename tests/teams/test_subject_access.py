"""Subject access for someone on Teams: they are found by their Entra object id (what
`peer-support privacy export --platform teams --user` takes), with what they asked on Teams."""

from __future__ import annotations

from handlers.core.people import Person
from handlers.privacy.access import SubjectAccess
from tests.teams.conftest import TENANT, TeamsWorld
from tests.teams.test_flow import ask, on_call


async def test_a_teams_requester_is_found_by_their_entra_object_id(teams: TeamsWorld) -> None:
    await on_call(teams, "pia")
    await ask(teams, "rita", note="after the arrest on ward 3")
    person = Person(platform="teams", tenant_id=TENANT, user_id=teams.user("rita").aad_object_id)
    held = await SubjectAccess(teams.runtime.core).export(person, by="admin:cli")
    assert held["found"] and held["identity"]["display_name"] == "Rita"
    [request] = held["requests"]
    assert request["note"] == "after the arrest on ward 3" and request["status"] == "open"
    assert held["identity"]["how_the_bot_reaches_them"]["conversation"]["id"] == "a:personal-rita"
    assert any(m["kind"] == "deliver" for m in held["messages_queued_or_kept"])
