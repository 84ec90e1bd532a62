"""Opening a listening socket: a port that cannot be had is one line naming the setting.

The socket is bound before anything else starts (migrations, the scheduler), so a port in use
stops the process at once, with nothing half started.
"""

from __future__ import annotations

import errno
import os
import socket

from config.errors import ConfigError


def bind(variable: str, host: str, port: int) -> socket.socket:
    """A socket listening on `host:port` (set by `variable`), or a one-line `ConfigError`."""
    try:
        return socket.create_server((host, port), backlog=128)
    except OSError as exc:
        raise listen_error(exc, variable, host, port) from None


def listen_error(exc: OSError, variable: str, host: str, port: int) -> ConfigError:
    """What to tell an operator when binding `host:port` (from `variable`) failed."""
    if exc.errno == errno.EADDRINUSE:
        return ConfigError(
            f"{variable}: port {port} is already in use on {host}; stop the process using it "
            f"or set {variable} to a free port"
        )
    if exc.errno == errno.EACCES:
        return ConfigError(
            f"{variable}: not allowed to listen on port {port} as this user; use a port above "
            "1024 (and map it in front, e.g. 80 -> 3000)"
        )
    if isinstance(exc, socket.gaierror) or (exc.errno or 0) < 0:  # name resolution failed
        reason = "no such host name"
    else:
        reason = os.strerror(exc.errno) if exc.errno else type(exc).__name__
    return ConfigError(
        f"HOST: cannot listen on {host}:{port} ({reason}); "
        "use 0.0.0.0 (every interface) or an address of this machine"
    )
