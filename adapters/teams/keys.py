"""The Bot Framework's signing keys, fetched without ever holding up the event loop.

botbuilder checks each activity's token against keys it downloads from the OpenID metadata
endpoint (and the JWKS it names). Its `_OpenIdMetadata` does that with a blocking `requests.get`
and no timeout, on the event loop: while Microsoft's endpoint hung, the whole server stopped
answering (19.5 s measured), health checks and Slack included.

`SigningKeys` takes its place (`install()`, called when Teams is mounted). It downloads with
aiohttp and a timeout, one download at a time, and:
  - keeps serving the keys it holds while a due refresh (daily) is slow, in the background:
    the Bot Framework publishes new keys well before it signs with them;
  - makes only a request that needs keys it does not hold (none yet, or an unknown key id, at most
    hourly as botbuilder does) wait, for WAIT_SECONDS at most, then raises `KeysUnavailable`,
    which `/api/messages` answers with a 503 that says why.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

import aiohttp
import structlog
from botframework.connector.auth import jwt_token_extractor
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdMetadata

log = structlog.get_logger(__name__)
#: Seconds a request waits for keys it needs; a download in hand goes on after that for others.
WAIT_SECONDS = 5.0
#: Seconds one download of the metadata and the key set may take in all.
DOWNLOAD_SECONDS = 20.0
#: Seconds after a failed download before another is tried (so a failing endpoint is not hammered).
RETRY_SECONDS = 30.0
#: botbuilder's own rules: refresh daily; for a key id not held, at most hourly.
REFRESH_AFTER, UNKNOWN_KEY_AFTER = timedelta(days=1), timedelta(hours=1)


class KeysUnavailable(RuntimeError):
    """The signing keys a token needs could not be had in time."""


class SigningKeys(_OpenIdMetadata):
    """botbuilder's key cache for one metadata URL, downloading off the event loop's back."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._download: asyncio.Task | None = None
        self._retry_at = 0.0

    async def get(self, key_id: str):  # noqa: ANN201 - botbuilder's _OpenIdConfig
        now = datetime.now()
        if not self.keys:
            await self._wait()
        elif self.last_updated < now - REFRESH_AFTER:
            self._start()  # the keys held serve meanwhile
        if self._holds(key_id) or self.last_updated >= now - UNKNOWN_KEY_AFTER:
            return self._find(key_id)
        await self._wait()
        return self._find(key_id)

    def _holds(self, key_id: str) -> bool:
        return any(key.get("kid") == key_id for key in self.keys)

    async def _wait(self) -> None:
        download = self._start()
        if download is None:
            raise KeysUnavailable("the last download of the signing keys failed moments ago")
        try:
            await asyncio.wait_for(asyncio.shield(download), WAIT_SECONDS)
        except TimeoutError as exc:
            raise KeysUnavailable("the signing keys did not arrive in time") from exc
        if not download.result():
            raise KeysUnavailable("the signing keys could not be downloaded")

    def _start(self) -> asyncio.Task | None:
        """The download in hand, or a new one; None while failures are being waited out."""
        loop = asyncio.get_running_loop()
        if self._download is not None and not self._download.done() and self._download.get_loop() is loop:
            return self._download
        if time.monotonic() < self._retry_at:
            return None
        self._download = loop.create_task(self._refresh_now())
        return self._download

    async def _refresh_now(self) -> bool:
        try:
            timeout = aiohttp.ClientTimeout(total=DOWNLOAD_SECONDS)
            async with aiohttp.ClientSession(timeout=timeout, trust_env=True) as session:
                async with session.get(self.url) as response:
                    response.raise_for_status()
                    keys_url = (await response.json(content_type=None))["jwks_uri"]
                async with session.get(keys_url) as response:
                    response.raise_for_status()
                    keys = (await response.json(content_type=None))["keys"]
            if not isinstance(keys, list) or not all(isinstance(key, dict) for key in keys):
                raise ValueError("the key set is not a list of keys")
        except Exception as exc:  # noqa: BLE001 - any failure of a download from outside: not downloaded
            self._retry_at = time.monotonic() + RETRY_SECONDS
            log.warning("teams_signing_keys_not_downloaded", error=type(exc).__name__)
            return False
        self.keys, self.last_updated = keys, datetime.now()
        return True


def install() -> None:
    """Make botbuilder use `SigningKeys` for every metadata URL, including any it already holds."""
    jwt_token_extractor._OpenIdMetadata = SigningKeys  # noqa: SLF001 - the class botbuilder builds
    for url, metadata in list(JwtTokenExtractor.metadataCache.items()):
        if not isinstance(metadata, SigningKeys):
            JwtTokenExtractor.metadataCache[url] = SigningKeys(url)
