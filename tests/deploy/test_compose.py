"""deploy/compose.yaml: the services and their wiring, read as compose reads them (anchors and
merge keys resolved); `docker compose config` too where a working client exists."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.secret_files import SECRET_SETTINGS
from tests.deploy.tools import DEPLOY

COMPOSE = DEPLOY / "compose.yaml"
APP_SERVICES = ("migrate", "web", "worker")


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def test_the_services() -> None:
    assert set(compose()["services"]) == {"postgres", "migrate", "web", "worker"}


def test_one_image_chosen_by_argument() -> None:
    services = compose()["services"]
    assert {services[name]["image"] for name in APP_SERVICES} == {"peer-support:latest"}
    assert {name: services[name]["command"] for name in APP_SERVICES} == {
        "migrate": ["db", "upgrade"],
        "web": ["web"],
        "worker": ["worker"],
    }
    assert services["migrate"]["restart"] == "no"  # one-shot
    assert services["worker"]["deploy"]["replicas"] >= 2  # the worker scales


def test_start_order_waits_for_health_and_the_migration() -> None:
    services = compose()["services"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("web", "worker"):
        assert services[name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }


def test_healthchecks() -> None:
    services = compose()["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    for name in ("web", "worker"):
        assert services[name]["healthcheck"]["test"] == ["CMD", "python", "-m", "bot.probe"]
    # The worker serves its probes on HEALTH_PORT (it has no other HTTP); web on PORT.
    assert services["worker"]["environment"]["HEALTH_PORT"] == "3000"
    assert "HEALTH_PORT" not in services["web"]["environment"]


def test_secrets_are_files_never_values() -> None:
    document = compose()
    declared = document["secrets"]
    for name in APP_SERVICES:
        service = document["services"][name]
        environment = service["environment"]
        assert not set(SECRET_SETTINGS) & set(environment), f"{name} has a secret in its env"
        mounted = set(service["secrets"])
        files = {key: value for key, value in environment.items() if key.endswith("_FILE")}
        assert files.keys() >= {"DATABASE_URL_FILE", "ENCRYPTION_KEYS_FILE"}
        for variable, path in files.items():
            assert variable.removesuffix("_FILE") in SECRET_SETTINGS
            secret = path.removeprefix("/run/secrets/")
            assert path.startswith("/run/secrets/") and secret in mounted, variable
        assert mounted <= set(declared)
    postgres = document["services"]["postgres"]
    assert "POSTGRES_PASSWORD" not in postgres["environment"]
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    for secret in declared.values():
        assert secret["file"].startswith("./secrets/")  # kept out of git (.gitignore)
    assert "deploy/secrets/" in (DEPLOY.parent / ".gitignore").read_text().splitlines()


def test_app_containers_have_a_read_only_root() -> None:
    services = compose()["services"]
    for name in APP_SERVICES:
        assert services[name]["read_only"] is True and services[name]["tmpfs"] == ["/tmp"]


def _docker_compose_works() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
    return probe.returncode == 0


@pytest.mark.skipif(not _docker_compose_works(), reason="no working `docker compose` client here")
def test_docker_compose_config_accepts_it(tmp_path: Path) -> None:
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy, ignore=shutil.ignore_patterns("secrets"))
    (copy / "secrets").mkdir()
    for secret in compose()["secrets"].values():
        (copy / secret["file"]).write_text("placeholder\n")
    done = subprocess.run(
        ["docker", "compose", "-f", str(copy / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
