"""`peer-support reach-in ...`: record a serious event and reach the colleagues involved, and see
the totals that came back (small cells suppressed, never who)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from bot.cli.choices import CategoryChoice
from bot.cli.common import OrgOption, fail, with_runtime

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from handlers.core.people import Person
    from handlers.reach_in.form import EventForm

reach_in_app = typer.Typer(help="Reach-in after a serious event: offer support to those involved.")
PERSON_FORM = "platform:tenant:user_id, e.g. slack:T0123ABCD:U01RITA"


def _person(text: str) -> Person:
    from handlers.core.people import Person

    platform, _, rest = text.partition(":")
    tenant, _, user_id = rest.partition(":")
    if platform not in ("slack", "teams") or not tenant or not user_id:
        fail(f"--person {text!r}: expected {PERSON_FORM}")
    return Person(platform=platform, tenant_id=tenant, user_id=user_id)


@reach_in_app.command("record")
def record(
    org: int = OrgOption,
    day: str = typer.Option(..., "--date", help="Day of the event, YYYY-MM-DD (last 90 days)."),
    category: CategoryChoice = typer.Option(..., help="What kind of event."),
    person: list[str] = typer.Option(..., help=f"A colleague involved ({PERSON_FORM}); repeat."),
    units: str = typer.Option("", help="Units affected, separated by commas."),
    note: str = typer.Option("", help="A note for coordinators only (kept encrypted)."),
) -> None:
    """Record an event: each colleague gets a private offer of support (sent by the worker)."""
    from handlers.reach_in.form import read_event
    from handlers.roster.forms import FormInvalid

    people = [_person(text) for text in person]
    answers = {"occurred_on": day, "category": category.value, "units": units, "note": note}

    async def work(runtime: Runtime) -> str:
        try:
            form: EventForm = read_event("en", answers, people, await runtime.reach_in.today(org))
        except FormInvalid as exc:
            fail(
                "; ".join(
                    f"--{field.replace('occurred_on', 'date')}: {message}"
                    for field, message in exc.errors.items()
                )
            )
        return (await runtime.reach_in.record(None, org, "en", form)).plain_text()

    typer.echo(with_runtime(work))


@reach_in_app.command("figures")
def figures(org: int = OrgOption) -> None:
    """What came back from the latest reach-ins: totals only, small cells shown as *."""

    async def work(runtime: Runtime) -> list[tuple[str, ...]]:
        rows = await runtime.reach_in.figures(org)
        return [
            (
                item.occurred_on.isoformat(),
                item.category,
                str(item.reached),
                *(
                    "*" if value is None else str(value)
                    for value in (item.talk, item.declined, item.unanswered, item.later)
                ),
            )
            for item in rows
        ]

    rows = with_runtime(work)
    if not rows:
        typer.echo("No event recorded in the last 90 days.")
        return
    header = ("day", "category", "reached", "asked to talk", "no thanks", "no answer yet",
              "maybe later")  # fmt: skip
    for row in (header, *rows):
        typer.echo("\t".join(row))
    typer.echo("* not shown: under the anonymity threshold, or it would reveal one that is.")
