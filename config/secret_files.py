"""Secrets mounted as files: every secret setting `NAME` also accepts `NAME_FILE`, a path.

That is the convention of container platforms (Docker and compose secrets under
`/run/secrets/`, Kubernetes Secret volumes): the secret never sits in the environment, where
`docker inspect`, a crash report or a child process would see it. The file's content, without
its trailing newline, is the value. A file that cannot be read, or that is empty, stops start-up
with one line naming the `_FILE` variable; so does setting both `NAME` and `NAME_FILE`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from config.errors import ConfigError

# The settings that hold a secret (DATABASE_URL may carry the database password).
SECRET_SETTINGS = (
    "DATABASE_URL",
    "ENCRYPTION_KEYS",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_SECRET",
    "MICROSOFT_APP_PASSWORD",
)

FILE_SUFFIX = "_FILE"


def read_secret_file(variable: str, path: str) -> str:
    """The secret in `path`, named by `variable` in any error."""
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise ConfigError(
            f"{variable}: cannot read the secret file {path} ({reason}); mount the secret "
            f"there (readable by this process's user) or unset {variable}"
        ) from None
    if not value:
        raise ConfigError(f"{variable}: the secret file {path} is empty")
    return value


class SecretFilesSource(PydanticBaseSettingsSource):
    """Reads `NAME_FILE` from the environment for each secret setting `NAME`."""

    def __init__(self, settings_cls: type[BaseSettings], environ: dict[str, str] | None = None):
        super().__init__(settings_cls)
        self.environ = os.environ if environ is None else environ

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # __call__ does the work for every field at once

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in SECRET_SETTINGS:
            variable = name + FILE_SUFFIX
            path = self.environ.get(variable, "").strip()
            if not path:
                continue
            if self.environ.get(name, "").strip():
                raise ConfigError(f"{variable}: set {name} or {variable}, not both")
            values[name] = read_secret_file(variable, path)
        return values
