"""Channels that ship with the core: an in-memory one for tests and a webhook for integrations.

Platform channels (console, Slack, Teams) live with their adapters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from urllib.parse import urlsplit

import aiohttp

from bot.notify.channel import Delivery, PlatformRefused, Recipient


class MemoryChannel:
    """Keeps what it is sent, once per key, as a receiver honouring idempotency keys would.
    `failures` makes the next N sends raise, to exercise retries. Each message lands at
    `{"memory": key}`; a delivery that replaces one is kept in `updated` under the key it replaced."""

    name = "memory"

    def __init__(self, reaches: Callable[[Recipient], bool] = lambda _r: True, failures: int = 0) -> None:
        self._reaches = reaches
        self.failures = failures
        self.received: dict[str, Delivery] = {}
        #: The key of a message rewritten in place -> the delivery that rewrote it, last one kept.
        self.updated: dict[str, Delivery] = {}
        self.attempts = 0

    def reaches(self, recipient: Recipient) -> bool:
        return self._reaches(recipient)

    async def send(self, delivery: Delivery) -> dict | None:
        self.attempts += 1
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("memory channel told to fail")
        if delivery.replaces is not None:
            self.updated[delivery.replaces["memory"]] = delivery
            return delivery.replaces
        self.received.setdefault(delivery.key, delivery)
        return {"memory": delivery.key}

    def to(self, email: str) -> list[Delivery]:
        return [d for d in self.received.values() if d.recipient.email == email]


class WebhookChannel:
    """POSTs each delivery as JSON to one URL, with the key in an `Idempotency-Key` header for the
    receiver to de-duplicate. Only HTTPS, or plain HTTP to this machine, because the body may hold
    report text. A posted message cannot be taken back, so it returns no platform_ref."""

    name = "webhook"

    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        parts = urlsplit(url)
        if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("SNP_WEBHOOK_URL must be https://, or http:// to this machine")
        self.url = url
        self.session = session

    def reaches(self, recipient: Recipient) -> bool:
        return True

    async def send(self, delivery: Delivery) -> dict | None:
        body = {name: value for name, value in asdict(delivery).items() if name not in ("replaces", "via")}
        async with self.session.post(self.url, json=body, headers={"Idempotency-Key": delivery.key},
                                     timeout=aiohttp.ClientTimeout(total=10)) as response:
            if response.status >= 300:
                raise PlatformRefused(f"webhook answered {response.status}")
        return None
