"""`make sbom`: a CycloneDX SBOM of what the image installs, listing every direct dependency.

The environment it describes is installed as the image installs the app (`pip install .`, not
editable), so the test also runs that installation's migrations and probe: the packaged files
(migrations, catalogs, manifests) are all there.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from cryptography.fernet import Fernet
from packaging.requirements import Requirement

from tests.deploy.tools import ROOT, tool


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_make_sbom_lists_the_direct_dependencies_and_no_dev_tool(tmp_path: Path) -> None:
    tool("cyclonedx-py", installed_by="the dev extra's cyclonedx-bom")
    output = tmp_path / "sbom.cdx.json"
    done = subprocess.run(
        [
            "make",
            "sbom",
            f"SBOM={output}",
            f"SBOM_ENV={tmp_path / 'env'}",
            f"PYTHON={sys.executable}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    bom = json.loads(output.read_text())
    assert bom["bomFormat"] == "CycloneDX"
    root = bom["metadata"]["component"]
    assert root["name"] == "peer-support"

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    direct = {normalised(Requirement(line).name) for line in project["dependencies"]}
    [root_entry] = [entry for entry in bom["dependencies"] if entry["ref"] == root["bom-ref"]]
    listed = {normalised(ref.split("==")[0]) for ref in root_entry["dependsOn"]}
    components = {normalised(component["name"]) for component in bom["components"]}
    assert direct <= listed, f"direct dependencies missing: {direct - listed}"
    assert direct <= components
    assert all(component.get("version") for component in bom["components"])
    dev_tools = {
        normalised(Requirement(line).name) for line in project["optional-dependencies"]["dev"]
    }
    assert not dev_tools & components, "the SBOM is of the image's set, not the dev tools'"

    installed = tmp_path / "env" / "bin"
    (tmp_path / "keys").write_text(Fernet.generate_key().decode())
    env = {
        "PATH": f"{installed}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "ENVIRONMENT": "production",
        "ENCRYPTION_KEYS_FILE": str(tmp_path / "keys"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'image.db'}",
        "MPLCONFIGDIR": str(tmp_path / "mpl"),
    }

    def installed_run(*command: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(installed / command[0]), *command[1:]],
            cwd=tmp_path,  # not this checkout: only the installed package is importable
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )

    upgrade = installed_run("peer-support", "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    check = installed_run("peer-support", "check-config")
    assert check.returncode == 0 and "schema current" in check.stdout, check.stderr
    probe = installed_run("python", "-m", "bot.probe", PORT="1")
    assert probe.returncode == 1 and "unhealthy" in probe.stderr  # nothing listens on port 1
