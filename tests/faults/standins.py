"""The platforms' stand-ins for the fault suite, in a process of their own: the loopback Slack Web
API (tests/fakes/slack.py), the Bot Framework connector (tests/fakes/botframework.py) and a webhook
receiver that counts deliveries by their `Idempotency-Key`.

They outlive every `snp-bot serve` the suite kills, as Slack and Teams outlive a crashed bot, and
the suite reads what they saw and flips Slack's outage and hang switches over HTTP (`StandIns`).

    python -m tests.faults.standins PEOPLE.json   # prints one JSON line of URLs, runs until SIGTERM
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

TOKEN = "xoxb-faults-0000-token"
SECRET = "faults-signing-secret-0123456789abcdef"


async def _serve(people: dict[str, Any]) -> None:
    from tests.fakes.botframework import FakeConnector, TeamsUser
    from tests.fakes.slack import FakeSlackAPI

    slack = FakeSlackAPI(bot_token=TOKEN, users=people["slack"])
    await slack.start()
    teams_users = [TeamsUser.create(name, email=email) for name, email in people["teams"]]
    connector = FakeConnector({user.id: user for user in teams_users}, region="")
    await connector.start()
    hooks: list[dict[str, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        body = await request.json()
        hooks.append({"key": request.headers.get("Idempotency-Key", ""), "at": time.time(),
                      "recipient": (body.get("recipient") or {}).get("email"), "kind": body.get("kind"),
                      "reference": body.get("reference")})
        return web.json_response({"ok": True})

    async def hook_calls(request: web.Request) -> web.Response:
        return web.json_response({"calls": hooks[int(request.query.get("since", 0)):], "next": len(hooks)})

    async def teams_calls(request: web.Request) -> web.Response:
        since = int(request.query.get("since", 0))
        calls = [{"index": i, "kind": c.kind, "conversation_id": c.conversation_id, "status": c.status,
                  "body": c.body if c.kind in ("send", "create") else None}
                 for i, c in enumerate(connector.calls[since:], since)]
        return web.json_response({"calls": calls, "next": len(connector.calls)})

    async def reset(request: web.Request) -> web.Response:
        connector.calls.clear()
        hooks.clear()
        return web.json_response({"ok": True})

    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.router.add_post("/control/reset", reset)
    app.router.add_post("/hook", hook)
    app.router.add_get("/control/hook", hook_calls)
    app.router.add_get("/control/teams", teams_calls)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    print(json.dumps({"slack_api": slack.base_url, "slack_control": slack.base_url.removesuffix("api/") + "control",
                      "teams_service_url": connector.service_url, "webhook": f"{base}/hook", "control": base}),
          flush=True)
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    await stopping.wait()
    await runner.cleanup()
    await connector.stop()
    await slack.stop()


@dataclass
class StandIns:
    """The stand-in process, seen from the suite."""

    process: asyncio.subprocess.Process
    urls: dict[str, str]
    session: aiohttp.ClientSession

    @classmethod
    async def start(cls, people: dict[str, Any], work: Path) -> StandIns:
        """`people`: {"slack": {user id: email}, "teams": [[name, email], …]}."""
        path = work / "people.json"
        path.write_text(json.dumps(people))
        log = (work / "standins.log").open("w")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.faults.standins", str(path), stdout=asyncio.subprocess.PIPE, stderr=log,
            cwd=Path(__file__).resolve().parents[2], limit=1 << 20)
        line = await asyncio.wait_for(process.stdout.readline(), timeout=60)  # type: ignore[union-attr]
        if not line:
            raise RuntimeError(f"the stand-ins did not start; see {work / 'standins.log'}")
        return cls(process, json.loads(line), aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)))

    async def stop(self) -> None:
        await self.session.close()
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    async def _get(self, url: str, **query: object) -> dict[str, Any]:
        async with self.session.get(url, params={k: str(v) for k, v in query.items()}) as response:
            response.raise_for_status()
            return await response.json()

    async def slack_calls(self, method: str, since: int = 0) -> list[dict[str, Any]]:
        """Calls to one Web API method from the `since`th call on (as `Call` dicts)."""
        return (await self._get(self.urls["slack_control"] + "/calls", method=method, since=since))["calls"]

    async def slack_mark(self) -> int:
        """Where the next call will be recorded: pass it as `since` to see only what follows."""
        return (await self._get(self.urls["slack_control"] + "/calls", method="-", since=0))["next"]

    async def slack_held(self) -> int:
        return (await self._get(self.urls["slack_control"] + "/calls", method="-", since=0))["held"]

    async def slack(self, switch: str, **options: object) -> None:
        """Flip a switch of the Slack stand-in: "outage", "hang", "restore" or "reset"."""
        async with self.session.post(f"{self.urls['slack_control']}/{switch}", json=options) as response:
            response.raise_for_status()

    async def reset(self) -> None:
        """Forget every call, message and delivery, and end any outage: each scenario (each trial)
        starts on platforms that have never seen the bot. Outbox keys repeat from one fresh
        database to the next, and a server asking Slack whether a message already landed must not
        find one from an earlier trial."""
        await self.slack("reset")
        async with self.session.post(self.urls["control"] + "/control/reset") as response:
            response.raise_for_status()

    async def teams_calls(self, since: int = 0) -> list[dict[str, Any]]:
        return (await self._get(self.urls["control"] + "/control/teams", since=since))["calls"]

    async def hook_calls(self, since: int = 0) -> list[dict[str, Any]]:
        return (await self._get(self.urls["control"] + "/control/hook", since=since))["calls"]


if __name__ == "__main__":
    asyncio.run(_serve(json.loads(Path(sys.argv[1]).read_text())))
