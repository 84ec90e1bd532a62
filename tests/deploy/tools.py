"""Finding the checkers the deployment tests run: the dev extra's, else the machine's.

A checker that is missing skips its test with the reason, except under CI (`CI` set), where
the project's own files must have installed it, so that fails the run.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def tool(name: str, *, installed_by: str) -> str:
    """The path of `name`: next to this Python (the dev extra), else on PATH."""
    beside = Path(sys.executable).with_name(name)
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    found = str(beside) if beside.exists() else shutil.which(name, path=search)
    if found is None:
        reason = f"{name} is not installed ({installed_by})"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: under CI it must be", pytrace=False)
        pytest.skip(reason)
    return found
