"""The web server: health check, metrics, and `serve` on a fresh checkout."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.runtime import Runtime
from bot.web import create_web_app
from config.settings import load_settings
from models.crypto import Vault
from models.db import Database


def _runtime(database: Database, vault: Vault) -> Runtime:
    settings = load_settings(DATABASE_URL=database.url)
    return Runtime(settings=settings, vault=vault, database=database)


async def test_healthz_is_200_when_the_database_answers(
    database: Database, test_vault: Vault
) -> None:
    async with TestClient(TestServer(create_web_app(_runtime(database, test_vault)))) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        body = await response.json()
        assert body["status"] == "ok"


async def test_healthz_is_503_when_the_database_is_down(test_vault: Vault) -> None:
    database = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    async with TestClient(TestServer(create_web_app(_runtime(database, test_vault)))) as client:
        response = await client.get("/healthz")
        assert response.status == 503
        assert await response.json() == {"status": "unavailable", "database": "unreachable"}
    await database.dispose()


async def test_metrics_are_prometheus_text(database: Database, test_vault: Vault) -> None:
    async with TestClient(TestServer(create_web_app(_runtime(database, test_vault)))) as client:
        await client.get("/healthz")
        response = await client.get("/metrics")
        assert response.status == 200
        assert response.content_type == "text/plain"
        text = await response.text()
        assert 'peer_support_http_requests_total{route="/healthz",status="200"}' in text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _health_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def _fresh_env(port: int) -> dict[str, str]:
    """The environment of a machine with nothing configured, serving on `port`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "MICROSOFT_", "DATABASE_", "ENCRYPTION_"))
    }
    env.update({"PORT": str(port), "HOST": "127.0.0.1"})
    return env


def _wait_until_healthy(port: int) -> int | None:
    status = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and status != 200:
        status = _health_status(f"http://127.0.0.1:{port}/healthz")
        if status != 200:
            time.sleep(0.2)
    return status


def test_serve_on_a_fresh_checkout_starts_on_sqlite(tmp_path: Path) -> None:
    port = _free_port()
    env = _fresh_env(port)
    script = Path(sys.executable).with_name("peer-support")
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [str(script), "serve"], cwd=tmp_path, env=env, stdout=log_file, stderr=log_file
        )
    try:
        assert _wait_until_healthy(port) == 200, log_path.read_text()
    finally:
        process.terminate()
        process.wait(timeout=10)
    log = log_path.read_text()
    assert "slack: off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in log
    assert "teams: off: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD" in log
    assert (tmp_path / "peer_support.db").exists()
    key_file = tmp_path / ".peer_support" / "encryption.key"
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_make_run_on_a_fresh_checkout_starts_the_bot_and_the_sandbox(tmp_path: Path) -> None:
    """`make run` is `peer-support start`: with nothing configured, the bot and its sandbox."""
    port, page_port = _free_port(), _free_port()
    script = Path(sys.executable).with_name("peer-support")
    log_path = tmp_path / "start.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [str(script), "start", "--page-port", str(page_port)],
            cwd=tmp_path,
            env=_fresh_env(port),
            stdout=log_file,
            stderr=log_file,
        )
    try:
        assert _wait_until_healthy(port) == 200, log_path.read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{page_port}/", timeout=5) as page:
            assert page.status == 200 and "SANDBOX" in page.read().decode()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (tmp_path / "peer_support_sandbox.db").exists()


def _procfile() -> dict[str, str]:
    root = Path(__file__).resolve().parents[2]
    entries = {}
    for line in (root / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        entries[name.strip()] = command.strip()
    return entries


def test_every_procfile_entry_is_a_working_command(tmp_path: Path) -> None:
    entries = _procfile()
    assert set(entries) == {"release", "web", "worker"}
    port = _free_port()
    env = {**_fresh_env(port), "WORKER_POLL_SECONDS": "0.2"}
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"

    release = subprocess.run(
        entries["release"].split(), cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert release.returncode == 0, release.stderr

    logs = {name: tmp_path / f"{name}.log" for name in ("web", "worker")}
    processes = {}
    for name, log_path in logs.items():
        with log_path.open("w") as log_file:
            processes[name] = subprocess.Popen(
                entries[name].split(), cwd=tmp_path, env=env, stdout=log_file, stderr=log_file
            )
    try:
        assert _wait_until_healthy(port) == 200, logs["web"].read_text()
        assert processes["worker"].poll() is None, logs["worker"].read_text()
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(timeout=10)
    # SIGTERM (what terminate() sends, as every deploy does): both stop cleanly, exit 0.
    assert "handing back the jobs held" in logs["worker"].read_text()
    assert "worker stopped" in logs["worker"].read_text()
    assert processes["worker"].returncode == 0
    assert processes["web"].returncode == 0, logs["web"].read_text()


async def test_liveness_and_readiness_do_not_depend_on_the_database(test_vault: Vault) -> None:
    """A web process must stay in service while the database is down: it still answers people
    with the crisis lines it holds. Only /healthz says the database is gone."""
    database = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    runtime = _runtime(database, test_vault)
    async with TestClient(TestServer(create_web_app(runtime))) as client:
        assert (await client.get("/livez")).status == 200
        starting = await client.get("/readyz")
        assert starting.status == 503 and (await starting.json())["status"] == "starting"
        runtime.ready = True  # what prepare_database sets once start-up is done
        assert (await client.get("/readyz")).status == 200
        assert (await client.get("/healthz")).status == 503
    await database.dispose()


async def test_the_container_probe_says_what_healthz_says(
    database: Database, test_vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import probe

    async with TestClient(TestServer(create_web_app(_runtime(database, test_vault)))) as client:
        monkeypatch.setenv("PORT", str(client.port))
        monkeypatch.delenv("HEALTH_PORT", raising=False)
        assert await asyncio.to_thread(probe.main) == 0
    down = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    async with TestClient(TestServer(create_web_app(_runtime(down, test_vault)))) as client:
        monkeypatch.setenv("PORT", "1")
        monkeypatch.setenv("HEALTH_PORT", str(client.port))  # a worker's: it comes first
        assert await asyncio.to_thread(probe.main) == 1
    await down.dispose()
    monkeypatch.setenv("HEALTH_PORT", str(_free_port()))  # nothing listens there
    assert probe.main() == 1


@pytest.mark.parametrize(
    ("command", "variable"),
    [
        (["web"], "PORT"),
        (["serve"], "PORT"),
        (["worker"], "HEALTH_PORT"),
        (["sandbox", "--port", "{port}"], "--port"),
        (["sandbox", "--port", "{free}", "--page-port", "{port}"], "--page-port"),
    ],
)
def test_a_port_in_use_is_one_line_naming_the_setting(
    tmp_path: Path, command: list[str], variable: str
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**_fresh_env(port), "HEALTH_PORT": str(port)}
        if command == ["worker"]:
            env["PORT"] = str(_free_port())
        script = Path(sys.executable).with_name("peer-support")
        subprocess.run([str(script), "db", "upgrade"], cwd=tmp_path, env=env, check=True)
        done = subprocess.run(
            [str(script), *(part.format(port=port, free=_free_port()) for part in command)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"error: {variable}: port {port} is already in use on 127.0.0.1; stop the process "
        f"using it or set {variable} to a free port"
    )
    if command == ["web"]:  # bound first: nothing started, nothing logged before the line
        assert done.stderr.strip().splitlines() == [done.stderr.strip().splitlines()[-1]]
