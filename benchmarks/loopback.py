"""What the benchmark scripts share: an aiohttp app served on loopback, and statements run on a
PostgreSQL server (creating and dropping their throwaway databases)."""

from __future__ import annotations

import asyncpg
from aiohttp import web
from sqlalchemy.engine import make_url


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve `app` on a free loopback port; returns its runner and base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def admin(url: str, statement: str) -> None:
    """Run `statement` on the server of the SQLAlchemy `url` (CREATE/DROP DATABASE)."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
