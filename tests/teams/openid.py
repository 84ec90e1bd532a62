"""A fake Bot Framework OpenID endpoint on loopback: the metadata document and its key set."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class FakeOpenId:
    """Publishes `keys` (kid -> private key, only the public half served); `delay` slows the
    key set down; `fetches` counts the key set's downloads."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.delay = 0.0
        self.fetches = 0
        self.url = ""
        self.app = web.Application()
        self.app.router.add_get("/metadata", self._metadata)
        self.app.router.add_get("/keys", self._keys)

    def publish(self, kid: str) -> rsa.RSAPrivateKey:
        key = self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return key

    async def _metadata(self, request: web.Request) -> web.Response:
        return web.json_response({"jwks_uri": str(request.url.with_path("/keys"))})

    async def _keys(self, _request: web.Request) -> web.Response:
        self.fetches += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        published: list[dict[str, Any]] = [
            {
                **json.loads(RSAAlgorithm.to_jwk(key.public_key())),
                "kid": kid,
                "endorsements": ["msteams"],
            }
            for kid, key in self.keys.items()
        ]
        return web.json_response({"keys": published})
