"""Microsoft's Adaptive Cards renderer (npm `adaptivecards`, run by Node) as a card checker.

`make test` installs it (`npm ci` in this folder); one Node process serves a whole test session,
a card a line. Every card the fake Bot Connector receives and every card an invoke answers with
goes through it (tests/teams/conftest.py), so a card Teams would show wrongly fails its test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SCRIPT = HERE / "check_cards.js"
INSTALL_HINT = "run `make test` (it runs `npm ci --prefix tests/teams/renderer`)"


class CardRenderer:
    """A Node process that parses, validates and renders a card and names its problems."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError(f"Node.js is needed for the card checks: {INSTALL_HINT}")
        if not (HERE / "node_modules" / "adaptivecards").is_dir():
            raise RuntimeError(f"the adaptivecards renderer is not installed: {INSTALL_HINT}")
        self._process = subprocess.Popen(
            [node, str(SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=HERE,
        )
        self._lock = threading.Lock()

    def problems(self, card: dict[str, Any]) -> list[str]:
        assert self._process.stdin is not None and self._process.stdout is not None
        with self._lock:
            self._process.stdin.write(json.dumps(card) + "\n")
            self._process.stdin.flush()
            answer = self._process.stdout.readline()
        if not answer:
            raise RuntimeError("the card renderer stopped")
        return json.loads(answer)

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=10)
