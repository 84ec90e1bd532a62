"""The Slack Web API methods the fake answers, as Slack does (`{"ok": true, ...}`,
`user_not_found`, `channel_not_found`, `expired_trigger_id`): a mixin of `FakeSlackApi`, which
holds the state they read and change. A subclass adds a method as `_<method with underscores>`
(`_oauth_v2_access`)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from bot.sandbox.slack_state import OpenModal, SharedFile, SlackUser


class SlackMethods:
    team_id: str
    bot_user_id: str
    users: dict[str, SlackUser]
    messages: dict[str, list[dict[str, Any]]]
    views: dict[str, dict[str, Any]]
    open_view: dict[str, OpenModal]
    home: dict[str, dict[str, Any]]
    files: dict[str, SharedFile]
    _ids: Iterator[int]
    _base: str

    def dm_of(self, user_id: str) -> str:
        """The app's DM channel with a user: one per user, and the same after a reset."""
        return f"D{user_id.removeprefix('U')}"

    def user_of_channel(self, channel: str) -> str | None:
        user = f"U{channel[1:]}" if channel.startswith("D") else None
        return user if user in self.users else None

    def _ts(self) -> str:
        return f"{time.time():.0f}.{next(self._ids):06d}"

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": "B0BOT",
            "url": "https://sandbox.invalid/",
        }

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(params.get("user")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {
            "ok": True,
            "user": {
                "id": user.id,
                "team_id": self.team_id,
                "name": user.name.lower().replace(" ", "."),
                "real_name": user.name,
                "tz": user.tz,
                "locale": user.locale,
                "profile": {"real_name": user.name, "display_name": user.name},
            },
        }

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        user = str(params.get("users", "")).split(",")[0]
        if user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": self.dm_of(user)}}

    def _channel(self, params: dict[str, Any]) -> str | None:
        channel = str(params.get("channel", ""))
        if channel in self.users:  # posting to a user id posts to the app's DM with them
            return self.dm_of(channel)
        return channel if self.user_of_channel(channel) else None

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        message = {
            "ts": self._ts(),
            "user": self.bot_user_id,
            "text": params.get("text", ""),
            "blocks": params.get("blocks", []),
        }
        self.messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        found = next(
            (m for m in self.messages.get(channel or "", []) if m["ts"] == params.get("ts")), None
        )
        if found is None:
            return {"ok": False, "error": "message_not_found"}
        found.update(text=params.get("text", ""), blocks=params.get("blocks", []), edited=True)
        found["updates"] = found.get("updates", 0) + 1
        return {"ok": True, "channel": channel, "ts": found["ts"]}

    def _files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ids):08d}"
        self.files[file_id] = SharedFile(
            filename=str(params.get("filename", "file")),
            length=int(params.get("length") or 0),
            alt_txt=params.get("alt_txt"),
        )
        return {"ok": True, "upload_url": f"{self._base}/upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        """Share the uploaded files in a DM: each shows there as an image message."""
        items = params.get("files")
        items = json.loads(items) if isinstance(items, str) else items or []
        channel = self._channel({"channel": params.get("channel_id", "")})
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        for item in items:
            shared = self.files.get(str(item.get("id")))
            if shared is None or not shared.data:
                return {"ok": False, "error": "file_upload_not_complete"}
            shared.title = str(item.get("title") or shared.filename)
            shared.channel = channel
        for item in items:
            shared = self.files[str(item["id"])]
            image = {
                "type": "image",
                "image_url": f"{self._base}/files/{item['id']}",
                "alt_text": shared.title,
                "title": {"type": "plain_text", "text": shared.title},
            }
            self.messages[channel].append(
                {"ts": self._ts(), "user": self.bot_user_id, "text": "", "blocks": [image]}
            )
        return {"ok": True, "files": [{"id": item["id"]} for item in items]}

    def _chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params) or self.dm_of(str(params.get("user")))
        self.messages[channel].append(
            {
                "ts": self._ts(),
                "user": self.bot_user_id,
                "text": params.get("text", ""),
                "blocks": params.get("blocks", []),
                "ephemeral": True,
            }
        )
        return {"ok": True, "message_ts": self.messages[channel][-1]["ts"]}

    def _view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        view_id = view_id or f"V{next(self._ids):08d}"
        stored = {**view, "id": view_id, "team_id": self.team_id, "hash": self._ts()}
        self.views[view_id] = stored
        return stored

    def _trigger_user(self, params: dict[str, Any]) -> str | None:
        # Trigger ids are made by whoever plays Slack's client: "trigger.<n>.<user id>".
        trigger = str(params.get("trigger_id", ""))
        user = trigger.split(".")[-1] if trigger.startswith("trigger.") else None
        return user if user in self.users else None

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self._trigger_user(params)
        if user is None:
            return {"ok": False, "error": "expired_trigger_id"}
        view = self._view(params["view"])
        self.open_view[user] = OpenModal([view["id"]])
        return {"ok": True, "view": view}

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self._trigger_user(params)
        shown = self.open_view.get(user) if user else None
        if shown is None:
            return {"ok": False, "error": "expired_trigger_id"}
        view = self._view(params["view"])
        shown.stack.append(view["id"])
        shown.errors = {}
        return {"ok": True, "view": view}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = str(params.get("view_id", ""))
        if view_id not in self.views:
            return {"ok": False, "error": "not_found"}
        return {"ok": True, "view": self._view(params["view"], view_id)}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user = str(params.get("user_id", ""))
        if user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        self.home[user] = self._view(params["view"])
        return {"ok": True, "view": self.home[user]}
