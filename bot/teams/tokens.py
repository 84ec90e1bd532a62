"""Bot Framework tokens: refused locally when they can be, verified with signing keys held here.

The SDK checks a token's signature against keys it fetches itself, with a blocking HTTP call
inside the request (the whole event loop waits on login.botframework.com), and answers any
token with an error when that fetch fails. So, before the SDK sees a token:

- What can be refused without a key is refused (401): no `kid`, an algorithm other than RS256
  (`none`, HS256 and the rest), an expired or not-yet-valid token, another audience than this
  bot's app id, an issuer the Bot Framework does not use.
- The signing keys are fetched here (aiohttp, with a timeout), kept, refreshed in the
  background before they age, and handed to the SDK, so a request never waits on a fetch while
  keys are held. Only a well-formed token whose key is not held, when the keys cannot be
  fetched now, gets 503 (try again); a key the Bot Framework does not publish gets 401.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
import jwt
from botframework.connector.auth import AuthenticationConstants
from botframework.connector.auth.emulator_validation import EmulatorValidation
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

log = logging.getLogger(__name__)

# The SDK's OpenID metadata documents (it looks keys up by these), and where each is fetched
# from: the same place, except in tests, which serve them on loopback.
SOURCES = {
    url: url
    for url in (
        AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
        AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
    )
}
LEEWAY_SECONDS = 5 * 60  # the SDK's clock tolerance
REFRESH_SECONDS = 12 * 60 * 60  # the SDK refreshes daily; twice leaves a failed fetch a retry
RETRY_SECONDS = 60.0  # after a failed fetch, in the background and on a request's demand
KEYS_MAX_AGE_SECONDS = 5 * 24 * 60 * 60  # keys not refreshed for this long are not trusted
FETCH_TIMEOUT_SECONDS = 5.0


class TokenRefused(Exception):
    """401: the token can never be valid (the message names what, never the token)."""


class KeysUnavailable(Exception):
    """503: the token's key is not held and cannot be fetched now."""


def issuers(tenant_id: str) -> frozenset[str]:
    """Who signs the tokens the SDK accepts for this bot: the Bot Framework channel, the
    Emulator's issuers, and the bot's own tenant (single-tenant bots)."""
    found = {AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER}
    found.update(EmulatorValidation.TO_BOT_FROM_EMULATOR_TOKEN_VALIDATION_PARAMETERS.issuer)
    if tenant_id:
        found.add(AuthenticationConstants.VALID_TOKEN_ISSUER_URL_TEMPLATE_V1.format(tenant_id))
        found.add(AuthenticationConstants.VALID_TOKEN_ISSUER_URL_TEMPLATE_V2.format(tenant_id))
    return frozenset(found)


def _number(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


@dataclass(frozen=True)
class LocalCheck:
    """What a token must be before any key is looked at."""

    app_id: str
    issuers: frozenset[str]

    def key_id(self, header: str, now: float | None = None) -> str:
        """The token's `kid`, once everything that needs no key has been checked."""
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or not token or " " in token:
            raise TokenRefused("not a Bearer token")
        try:
            head = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise TokenRefused("not a JWT") from None
        if head.get("alg") != "RS256":
            raise TokenRefused("signed with another algorithm than RS256")
        kid = head.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > 256:
            raise TokenRefused("no key id")
        now = time.time() if now is None else now
        expires, not_before = _number(claims, "exp"), _number(claims, "nbf")
        if expires is None or expires + LEEWAY_SECONDS < now:
            raise TokenRefused("expired, or no expiry")
        if not_before is not None and not_before - LEEWAY_SECONDS > now:
            raise TokenRefused("not valid yet")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.app_id not in audiences:
            raise TokenRefused("meant for another audience")
        if claims.get("iss") not in self.issuers:
            raise TokenRefused("from an issuer the Bot Framework does not use")
        return kid


@dataclass
class SigningKeys:
    """The published signing keys of each OpenID metadata document, as the SDK would fetch
    them; `kept` hands them to the SDK's cache so it never fetches on its own."""

    sources: dict[str, str] = field(default_factory=lambda: dict(SOURCES))
    timeout: float = FETCH_TIMEOUT_SECONDS
    _keys: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _fetched_at: float | None = None
    _failed_at: float | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _task: asyncio.Task[None] | None = None

    def _fresh(self) -> bool:
        return self._fetched_at is not None and (
            time.monotonic() - self._fetched_at < KEYS_MAX_AGE_SECONDS
        )

    def holds(self, kid: str) -> bool:
        return self._fresh() and any(
            key.get("kid") == kid for keys in self._keys.values() for key in keys
        )

    async def fetch(self) -> None:
        """Fetch every document's keys; raises (and keeps the old keys) if one cannot be."""
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        fetched: dict[str, list[dict[str, Any]]] = {}
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for url, source in self.sources.items():
                async with session.get(source) as response:
                    response.raise_for_status()
                    jwks_uri = (await response.json(content_type=None))["jwks_uri"]
                async with session.get(jwks_uri) as response:
                    response.raise_for_status()
                    keys = (await response.json(content_type=None))["keys"]
                if not isinstance(keys, list) or not all(isinstance(k, dict) for k in keys):
                    raise ValueError("the key set is not a list of keys")
                fetched[url] = keys
        self._keys = fetched
        self._fetched_at, self._failed_at = time.monotonic(), None
        self.kept()

    def kept(self) -> None:
        """Give the SDK the keys held, marked current: its own fetch never runs."""
        for url, keys in self._keys.items():
            metadata = JwtTokenExtractor.get_open_id_metadata(url)
            metadata.keys = keys
            metadata.last_updated = datetime.now()

    async def _fetch_logged(self) -> bool:
        try:
            await self.fetch()
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError, KeyError) as exc:
            self._failed_at = time.monotonic()
            log.error("teams: cannot fetch the Bot Framework signing keys (%s)", type(exc).__name__)
            return False
        return True

    async def key_for(self, kid: str) -> None:
        """Return once `kid` is held; raises KeysUnavailable or TokenRefused."""
        if self.holds(kid):
            self.kept()
            return
        async with self._lock:  # one fetch at a time, however many requests wait for it
            if self.holds(kid):
                self.kept()
                return
            recently_failed = (
                self._failed_at is not None and time.monotonic() - self._failed_at < RETRY_SECONDS
            )
            recently_fetched = (
                self._fetched_at is not None and time.monotonic() - self._fetched_at < RETRY_SECONDS
            )
            if not recently_failed and not recently_fetched:
                await self._fetch_logged()
        if self.holds(kid):
            self.kept()
            return
        if self._fresh() and self._failed_at is None:  # the keys as published now lack it
            raise TokenRefused("signed with a key the Bot Framework does not publish")
        raise KeysUnavailable("the signing keys cannot be fetched now")

    async def _refresh_forever(self) -> None:
        while True:
            await self._fetch_logged()
            await asyncio.sleep(RETRY_SECONDS if self._failed_at else REFRESH_SECONDS)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._refresh_forever(), name="teams-signing-keys")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


@dataclass
class TokenGate:
    """The token checks that run before the SDK's: `admit` returns, or raises TokenRefused
    (401) or KeysUnavailable (503)."""

    check: LocalCheck
    keys: SigningKeys = field(default_factory=SigningKeys)

    async def admit(self, header: str) -> None:
        await self.keys.key_for(self.check.key_id(header))
