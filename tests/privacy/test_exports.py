"""`peer-support privacy export` (subject access) and `peer-support audit export`, run as an
operator runs them, against a migrated SQLite file and a migrated PostgreSQL database."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from bot.cli import app
from models import AuditEvent
from models.crypto import Vault, configure_vault
from models.db import Database
from models.keyring import load_keyring
from models.migrate import upgrade
from tests.conftest import (
    TEST_KEY,
    _create_database,
    _drop_database,
    _postgres_admin_url,
    run_blocking,
)
from tests.fakes import FakeClock
from tests.hospital import TENANT, build_hospital

NOTE = "the night of the fall on ward 7"
PHONE = "+44 7700 900123"
EXPORT_ACTIONS = ("subject_access", "audit_exported")


async def populate(url: str, vault: Vault) -> None:
    """Rita asked (named, by phone, with a note), Pia accepted and closed: check-ins are due."""
    configure_vault(vault)
    database = Database(url)
    await load_keyring(database, vault)
    hospital = build_hospital(database, FakeClock())
    await hospital.setup()
    await hospital.add_peer("pia", unit="ICU")
    request_id = await hospital.ask("rita", note=NOTE, phone=PHONE, unit="Ward 7")
    await hospital.offers.accept(hospital.person("pia"), hospital.offer_id("pia"))
    await hospital.cases.close(hospital.person("pia"), request_id)
    await hospital.run_jobs()
    await database.dispose()


async def audit_actions(url: str) -> list[tuple[str, str]]:
    database = Database(url)
    async with database.session() as session:
        events = list(await session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    await database.dispose()
    return [(event.actor, event.action) for event in events]


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A database migrated as `peer-support db upgrade` does, with a closed case in it; the
    environment the CLI reads points at it."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "MICROSOFT_", "DATABASE_", "ENCRYPTION_", "ENVIRONMENT")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    admin_url, database_name = _postgres_admin_url(), f"peer_support_cli_{uuid.uuid4().hex[:10]}"
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'hospital.db'}"
    else:
        try:
            run_blocking(_create_database(admin_url, database_name))
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL unreachable: {exc}", pytrace=False)
            pytest.skip(f"PostgreSQL unreachable at {admin_url}")
        url = make_url(admin_url).set(database=database_name).render_as_string(False)
    vault = Vault([TEST_KEY])
    run_blocking(upgrade(Database(url)))
    run_blocking(populate(url, vault))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ENCRYPTION_KEYS", TEST_KEY)
    yield url
    if request.param == "postgresql":
        run_blocking(_drop_database(admin_url, database_name))


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_subject_access_exports_what_is_held_about_the_requester(
    migrated_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "rita.json"
    printed = cli("privacy", "export", "--platform", "slack", "--tenant", TENANT,
                  "--user", "URITA", "--output", str(out))  # fmt: skip
    held = json.loads(out.read_text())
    assert held["found"] and held["identity"]["display_name"] == "Rita"
    assert held["identity"]["user_id"] == "URITA"  # decrypted
    [request] = held["requests"]
    assert (request["note"], request["phone_number"], request["unit"]) == (NOTE, PHONE, "Ward 7")
    assert request["status"] == "closed"
    assert held["roster"] == [] and held["cases_taken_as_peer"] == []
    check_ins = [m for m in held["messages_queued_or_kept"] if m["kind"] == "follow_up"]
    assert len(check_ins) == 4  # the check-ins still to come after the close
    assert {event["action"] for event in held["audit_events"]} >= {"requested", "accepted"}
    assert any("Follow-up check-in answers" in item for item in held["not_linked_to_a_person"])
    summary = (tmp_path / "rita.txt").read_text()
    assert "Requests for support: 1" in summary and "Not in this export, by design" in summary
    assert "Requests for support: 1" in printed
    for path in (out, tmp_path / "rita.txt"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600  # personal data: the operator only
    assert ("admin:cli", "subject_access") in run_blocking(audit_actions(migrated_url))


def test_a_peers_export_holds_their_cases_but_never_who_asked(
    migrated_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "pia.json"
    cli("privacy", "export", "--platform", "slack", "--tenant", TENANT, "--user", "UPIA",
        "--output", str(out))  # fmt: skip
    held = json.loads(out.read_text())
    [entry] = held["roster"]
    assert entry["unit"] == "ICU" and entry["tier"] == "peer"
    [case] = held["cases_taken_as_peer"]
    assert case["status"] == "closed" and held["requests"] == []
    text = out.read_text()
    assert "Rita" not in text and "URITA" not in text and NOTE not in text and PHONE not in text


def test_someone_unknown_is_told_nothing_is_held(migrated_url: str, tmp_path: Path) -> None:
    out = tmp_path / "nobody.json"
    nobody = "00000000-0000-0000-0000-000000000000"
    printed = cli("privacy", "export", "--platform", "teams", "--tenant", "tenant-x",
                  "--user", nobody, "--output", str(out))  # fmt: skip
    assert json.loads(out.read_text())["found"] is False
    assert "Nothing is held about this person" in printed


def test_wrong_options_are_one_line_and_change_nothing(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # typer's error box, on one line
    result = CliRunner().invoke(
        app, ["privacy", "export", "--platform", "fax", "--tenant", "T", "--user", "U"]
    )
    assert result.exit_code == 2 and "'fax' is not one of 'slack', 'teams'" in result.output
    result = CliRunner().invoke(
        app, ["privacy", "export", "--platform", "slack", "--tenant", " ", "--user", "U"]
    )
    assert result.exit_code == 2 and "--tenant and --user must not be empty" in result.stderr
    result = CliRunner().invoke(app, ["audit", "export", "--since", "2026-11-01", "--format", "x"])
    assert result.exit_code == 2 and "'x' is not one of 'csv', 'jsonl'" in result.output
    result = CliRunner().invoke(app, ["audit", "export", "--since", "yesterday"])
    assert result.exit_code == 2 and "does not match the formats '%Y-%m-%d'" in result.output
    result = CliRunner().invoke(
        app, ["privacy", "export", "--platform", "slack", "--tenant", TENANT, "--user", "URITA",
              "--output", "/no/such/folder/rita.json"],
    )  # fmt: skip
    assert result.exit_code == 2 and "--output: no folder /no/such/folder" in result.stderr
    result = CliRunner().invoke(
        app, ["audit", "export", "--since", "2026-11-01", "--output", "/no/such/folder/a.csv"]
    )
    assert result.exit_code == 2 and "--output: no folder" in result.stderr
    result = CliRunner().invoke(app, ["audit", "export", "--since", "2026-11-01", "--org", "9"])
    assert result.exit_code == 2 and result.stderr.strip() == "error: no organisation 9"
    exports = [a for a in run_blocking(audit_actions(migrated_url)) if a[1] in EXPORT_ACTIONS]
    assert exports == []


def test_audit_export_is_pseudonymous_as_stored(migrated_url: str, tmp_path: Path) -> None:
    lines = cli("audit", "export", "--since", "2026-11-01", "--format", "jsonl").splitlines()
    events = [json.loads(line) for line in lines]
    assert {"requested", "accepted", "identity_revealed", "closed"} <= {e["action"] for e in events}
    actors = {event["actor"] for event in events}
    assert {a for a in actors if not a.startswith("peer:")} <= {"requester", "system", "admin:cli"}
    raw = "\n".join(lines)
    for secret in ("Rita", "URITA", "UPIA", NOTE, PHONE, "Ward 7"):
        assert secret not in raw
    out = tmp_path / "audit.csv"
    cli("audit", "export", "--since", "2026-11-01", "--format", "csv", "--org", "1",
        "--output", str(out))  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert list(rows[0]) == [
        "id",
        "organisation_id",
        "at",
        "actor",
        "action",
        "request_id",
        "detail",
    ]
    assert len(rows) == len(events) + 1  # the first export is itself in the log now
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert cli("audit", "export", "--since", "2030-01-01", "--format", "jsonl") == ""
    exports = [a for a in run_blocking(audit_actions(migrated_url)) if a[1] == "audit_exported"]
    assert exports == [("admin:cli", "audit_exported")] * 3
