"""The wire format through a plain HTTP client: parameters in, Telegram-shaped answers out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession, FormData

from bot.emulator import Emulator


@pytest.fixture
async def http() -> AsyncIterator[ClientSession]:
    async with ClientSession() as session:
        yield session


async def call(http: ClientSession, url: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    async with http.post(url, **kwargs) as answer:
        return answer.status, await answer.json()


async def test_errors_have_telegrams_shape(emu: Emulator, http: ClientSession) -> None:
    base = f"{emu.base_url}{emu.token}"
    assert await call(http, f"{emu.base_url}1:WRONG/getMe") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert await call(http, f"{base}/sendTelepathy") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    assert await call(http, f"{base}/sendMessage", data={"text": "hola"}) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"},
    )
    status, body = await call(http, f"{base}/deleteMessage", data={"chat_id": "1"})
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_parameters_from_every_kind_of_request(emu: Emulator, http: ClientSession) -> None:
    ana = emu.user("ana")
    base = f"{emu.base_url}{emu.token}/sendMessage"
    markup = '{"inline_keyboard": [[{"text": "Sí", "callback_data": "yes"}]]}'
    form = {"chat_id": str(ana.chat_id), "text": "1", "reply_markup": markup}
    multipart = FormData({"chat_id": str(ana.chat_id), "text": "4", "protect_content": "true"})
    multipart.add_field("ignored", b"bytes", filename="x.bin")
    assert (await call(http, base, data=form))[0] == 200
    assert (await call(http, base, json={"chat_id": ana.chat_id, "text": "2"}))[0] == 200
    assert (await call(http, f"{base}?chat_id={ana.chat_id}&text=3"))[0] == 200
    assert (await call(http, base, data=multipart))[0] == 200
    async with http.get(base, params={"chat_id": ana.chat_id, "text": "5"}) as answer:
        assert answer.status == 200
        result = (await answer.json())["result"]
    assert [m.text for m in ana.inbox()] == ["1", "2", "3", "4", "5"]
    assert ana.inbox()[0].buttons() == ["Sí"] and ana.inbox()[3].protect_content
    assert result["chat"] == {
        "id": ana.chat_id,
        "type": "private",
        "first_name": "Ana",
        "username": "ana",
    }
    assert result["from"]["username"] == "companera_demo_bot" and result["from"]["is_bot"]
    assert isinstance(result["date"], int) and result["message_id"] == 5
    assert emu.requests["sendMessage"] == 5


async def test_method_names_ignore_case(emu: Emulator, http: ClientSession) -> None:
    status, body = await call(http, f"{emu.base_url}{emu.token}/GETME")
    assert status == 200 and body["result"]["username"] == "companera_demo_bot"
    assert emu.requests["getMe"] == 1
