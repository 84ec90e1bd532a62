"""What the image runs, run here: the Dockerfile's environment, then compose's (secrets as
`*_FILE` paths to files), `peer-support db upgrade` as the migrate service does, then
`peer-support web` and `peer-support worker`, against PostgreSQL: /healthz answers 200.

No Docker engine is needed: the processes run from this checkout's virtual environment, with
the environment the containers would have and nothing else of this machine's.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
import yaml
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

from tests.conftest import _create_database, _drop_database, _postgres_admin_url, run_blocking
from tests.deploy.tools import DEPLOY, ROOT

SCRIPT = Path(sys.executable).with_name("peer-support")


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database (no schema: the migrate step makes it)."""
    admin_url = _postgres_admin_url()
    name = f"peer_support_image_{uuid.uuid4().hex[:10]}"
    try:
        run_blocking(_create_database(admin_url, name))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        reason = f"PostgreSQL unreachable at {admin_url}: {type(exc).__name__}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (under CI the PostgreSQL tests must run)", pytrace=False)
        pytest.skip(reason)
    url = make_url(admin_url).set(drivername="postgresql", database=name)
    yield url.render_as_string(hide_password=False)
    run_blocking(_drop_database(admin_url, name))


def image_environment() -> dict[str, str]:
    """The Dockerfile's ENV instructions."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(pair.split("=", 1) for pair in line[4:].split())
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def status_of(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def wait_for(url: str, process: subprocess.Popen[str], log: Path) -> int | None:
    deadline = time.monotonic() + 60
    status = None
    while time.monotonic() < deadline and status != 200 and process.poll() is None:
        status = status_of(url)
        time.sleep(0.2)
    assert process.poll() is None, log.read_text()
    return status


def test_the_image_command_lines_against_postgresql(empty_postgres: str, tmp_path: Path) -> None:
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    secrets_dir = tmp_path / "run-secrets"
    secrets_dir.mkdir()
    secret_values = {
        "database_url": empty_postgres,
        "encryption_keys": Fernet.generate_key().decode(),
        "slack_bot_token": "xoxb-image-test-token",
        "slack_signing_secret": "image-test-signing-secret",
    }

    def container_env(service: str, **overrides: str) -> dict[str, str]:
        env = {"PATH": f"{SCRIPT.parent}:/usr/bin:/bin", "HOME": str(tmp_path)}
        env.update(image_environment())
        for name, value in services[service]["environment"].items():
            if str(value).startswith("/run/secrets/"):
                secret = str(value).removeprefix("/run/secrets/")
                (secrets_dir / secret).write_text(secret_values[secret] + "\n")
                value = str(secrets_dir / secret)
            env[name] = str(value)
        env.update(HOST="127.0.0.1", MPLCONFIGDIR=str(tmp_path / "mpl"), **overrides)
        return env

    assert {"DATABASE_URL_FILE", "ENCRYPTION_KEYS_FILE"} <= container_env("web").keys()
    migrate = subprocess.run(
        [str(SCRIPT), *services["migrate"]["command"]],
        cwd=tmp_path,
        env=container_env("migrate"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrate.returncode == 0, migrate.stderr

    web_port, health_port = free_port(), free_port()
    runs = {
        "web": container_env("web", PORT=str(web_port)),
        "worker": container_env("worker", PORT=str(free_port()), HEALTH_PORT=str(health_port)),
    }
    logs = {name: tmp_path / f"{name}.log" for name in runs}
    processes: dict[str, subprocess.Popen[str]] = {}
    try:
        for name, env in runs.items():
            with logs[name].open("w") as log:
                processes[name] = subprocess.Popen(
                    [str(SCRIPT), *services[name]["command"]],
                    cwd=tmp_path,
                    env=env,
                    stdout=log,
                    stderr=log,
                    text=True,
                )
        for name, port in (("web", web_port), ("worker", health_port)):
            base = f"http://127.0.0.1:{port}"
            assert wait_for(f"{base}/healthz", processes[name], logs[name]) == 200
            assert status_of(f"{base}/readyz") == 200 and status_of(f"{base}/livez") == 200
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(timeout=20)
    for name, log in logs.items():
        lines = log.read_text().splitlines()
        assert lines and all(json.loads(line)["level"] for line in lines), name  # JSON logs
        for secret in secret_values.values():
            assert secret not in log.read_text(), f"a secret in the {name} log"
        assert processes[name].returncode == 0, log.read_text()
