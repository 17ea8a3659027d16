"""The Bot API's wire format: parameters in, `{"ok": ...}` answers out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

Json = dict[str, Any]


class ApiError(Exception):
    """An error answer as Telegram gives it: HTTP status, description, optional parameters."""

    def __init__(self, code: int, description: str, parameters: Json | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters

    def response(self) -> web.Response:
        """The HTTP answer carrying this error."""
        body: Json = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return web.json_response(body, status=self.code)


def bad_request(reason: str) -> ApiError:
    """A 400 with Telegram's "Bad Request: ..." prefix."""
    return ApiError(400, f"Bad Request: {reason}")


def ok(result: Any) -> web.Response:
    """A successful answer."""
    return web.json_response({"ok": True, "result": result})


class Params:
    """A request's parameters, each read with the type its Bot API field has."""

    # Form fields arrive as strings: python-telegram-bot sends strings as they are and
    # JSON-encodes everything else, so string fields (text) are never JSON-decoded.

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._raw = dict(raw)

    def __contains__(self, name: str) -> bool:
        return self._raw.get(name) not in (None, "")

    def text(self, name: str) -> str | None:
        """A string field, exactly as sent."""
        value = self._raw.get(name)
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value) if isinstance(value, dict | list | bool) else str(value)

    def value(self, name: str) -> Any:
        """A field of any type (object, array, number, boolean), JSON-decoded when needed."""
        value = self._raw.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def integer(self, name: str) -> int | None:
        """An integer field; None when absent or not an integer."""
        value = self.value(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return int(value) if float(value).is_integer() else None

    def number(self, name: str) -> float | None:
        """A float field; None when absent or not a number."""
        value = self.value(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)

    def flag(self, name: str) -> bool:
        """A boolean field; absent means false."""
        return self.value(name) in (True, 1)

    def file(self, name: str) -> tuple[str, bytes] | None:
        """A file uploaded in a multipart form: its name and its bytes; None otherwise."""
        value = self._raw.get(name)
        if not isinstance(value, web.FileField):
            return None
        return value.filename, value.file.read()

    def require(self, name: str, reason: str | None = None) -> Any:
        """A field that must be there, else 400 "<name> is empty" (or `reason`)."""
        if name not in self:
            raise bad_request(reason or f"{name} is empty")
        return self.value(name)


async def read_params(request: web.Request) -> Params:
    """Query string, then the body: JSON, url-encoded form or multipart form."""
    raw: Json = dict(request.query)
    if not request.can_read_body:
        return Params(raw)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        raw.update(body)
    else:
        form = await request.post()
        raw.update(form)
    return Params(raw)
