"""The container's health probe: `python -m bot.probe` exits 0 if `/healthz` answers 200.

Standard library only, so the image's HEALTHCHECK needs no curl and starts quickly. It asks
this container's own process: the worker's `HEALTH_PORT` if set, else the web `PORT`.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 4


def probe_url(environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    port = environ.get("HEALTH_PORT") or environ.get("PORT") or "3000"
    return f"http://127.0.0.1:{port}/healthz"


def main() -> int:
    url = probe_url()
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"unhealthy: {url} answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
