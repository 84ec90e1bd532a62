"""Build the Teams app package: manifest.json (with the bot's app id filled in) and the icons.

The zip is what an administrator uploads in the Teams admin center, or a user side-loads with
"Upload a custom app".
"""

from __future__ import annotations

import json
import re
import uuid
import zipfile
from pathlib import Path

from config.settings import ConfigError

APP_DIR = Path(__file__).with_name("app")
ICONS = ("color.png", "outline.png")
TRANSLATIONS = ("es.json",)  # the manifest's localizationInfo names them
HOST = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


def manifest(app_id: str | None, domain: str | None) -> dict[str, object]:
    """The manifest for this bot; raises ConfigError naming what is missing or wrong."""
    if not app_id:
        raise ConfigError("MICROSOFT_APP_ID: the app package needs the bot's app id")
    try:
        uuid.UUID(app_id)
    except ValueError:
        raise ConfigError("MICROSOFT_APP_ID: expected the Azure bot's app id (a GUID)") from None
    text = (APP_DIR / "manifest.json").read_text(encoding="utf-8")
    data = json.loads(text.replace("{{MICROSOFT_APP_ID}}", app_id))
    if domain:
        host = domain.lower().removeprefix("https://").split("/")[0]
        if not HOST.match(host):
            raise ConfigError(f"--domain: '{domain}' is not a host name such as bot.example.org")
        data["validDomains"] = [host]
    else:
        data["validDomains"] = []
    return data


def build_package(output: Path, app_id: str | None, domain: str | None = None) -> Path:
    """Write the zip to `output` (manifest, icons and translations at its root, as Teams
    requires)."""
    data = manifest(app_id, domain)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(data, indent=2, ensure_ascii=False))
        for name in ICONS + TRANSLATIONS:
            archive.write(APP_DIR / name, arcname=name)
    return output
