"""The aiohttp application: health checks, metrics, and the platform endpoints.

Three probes, for three questions a platform asks:

- `/livez`: is the process alive (its event loop answers)? Never looks at the database, so a
  database outage does not get healthy processes restarted.
- `/readyz`: has start-up finished (schema checked, keys loaded, crisis lines in memory)? It too
  stays 200 while the database is down: a web process then still answers people with the crisis
  lines it holds, so it must keep receiving their requests.
- `/healthz`: is everything working, the database included (503 if not)? For humans, monitors
  and the image's HEALTHCHECK.
"""

from __future__ import annotations

import logging
import re
import uuid

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.metrics import HTTP_REQUESTS, REGISTRY
from bot.runtime import Runtime
from handlers.core.log_context import request_scope

log = logging.getLogger(__name__)

RUNTIME = web.AppKey("runtime", Runtime)

REQUEST_ID_HEADER = "X-Request-Id"
# A request id from a proxy (nginx's $request_id, a UUID) is kept only if it is hexadecimal, so
# it cannot carry a name into the logs; anything else is replaced.
SAFE_REQUEST_ID = re.compile(r"[0-9A-Fa-f-]{16,64}")


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    try:
        await runtime.database.ping()
    except Exception as exc:
        log.warning("health check: database unreachable (%s)", type(exc).__name__)
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response(
        {"status": "ok", "database": "ok", "platforms": runtime.platform_status}
    )


async def livez(_request: web.Request) -> web.Response:
    return web.json_response({"status": "alive"})


async def readyz(request: web.Request) -> web.Response:
    if not request.app[RUNTIME].ready:
        return web.json_response({"status": "starting"}, status=503)
    return web.json_response({"status": "ready"})


async def metrics(_request: web.Request) -> web.Response:
    body = generate_latest(REGISTRY)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


@web.middleware
async def count_requests(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    route = request.match_info.route.resource
    name = route.canonical if route is not None else "unmatched"
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        HTTP_REQUESTS.labels(name, str(exc.status)).inc()
        raise
    HTTP_REQUESTS.labels(name, str(response.status)).inc()
    return response


@web.middleware
async def tag_request(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    """Give the request an id (the proxy's, if it sent a plain one) that every log line written
    while it is handled carries, and send it back in the response."""
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    tag = offered if SAFE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
    with request_scope(tag):
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            exc.headers[REQUEST_ID_HEADER] = tag
            raise
    response.headers[REQUEST_ID_HEADER] = tag
    return response


def create_web_app(runtime: Runtime) -> web.Application:
    app = web.Application(middlewares=[tag_request, count_requests], client_max_size=1024 * 1024)
    app[RUNTIME] = runtime
    app.router.add_get("/livez", livez)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app
