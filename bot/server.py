"""`snp-bot serve`: one aiohttp application for the platforms, health checks and metrics.

Platform adapters mount their routes on the application this module builds; the core services
are built once, before the first request, and shared.
"""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.core import Core

CORE = web.AppKey("core", Core)


async def healthz(request: web.Request) -> web.Response:
    """200 while the process serves requests."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """200 when the bot can answer: the policy is loaded and its index built."""
    core = request.app[CORE]
    return web.json_response({"status": "ready", "policy": core.policy.meta.number,
                              "version": core.policy.meta.version})


async def metrics(request: web.Request) -> web.Response:
    body = generate_latest()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def create_app(core: Core) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[CORE] = core
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app


def run(host: str, port: int) -> None:
    web.run_app(create_app(Core.from_settings()), host=host, port=port, print=None)
