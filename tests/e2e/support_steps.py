"""Accompaniment for end-to-end tests: someone whose alias is unlike her Telegram name, a
coordinator who gives support, a member who asks for it, and a message written to a case."""

from __future__ import annotations

from bot.emulator import EmulatedUser, SentMessage
from bot.i18n import t
from tests.e2e.conftest import World
from tests.support.catalog import said


async def person(world: World, username: str, alias: str) -> EmulatedUser:
    """Someone whose alias is unlike her Telegram name and username."""
    user = world.emulator.user(username)
    await user.send("/start")
    await user.receives(containing=said("start.ask_alias"))
    await user.send(alias)
    ask = await user.receives(containing=said("start.ask_address", alias=alias))
    await user.press(ask, said("button.address.she"))
    await user.receives(containing=said("start.ready"))
    return user


async def be_support(user: EmulatedUser) -> None:
    await user.send("/casos")
    off = await user.receives(containing=said("support.role_off"))
    await user.press(off, t("es", "button.support_on"))
    await user.receives(containing=said("support.queue_empty"))


async def ask_support(user: EmulatedUser, text: str, kind: str = "violence") -> SentMessage:
    """/apoyo in her only network: the kind, then her words, which leave her chat; what the
    bot answered."""
    await user.send("/apoyo")
    kinds = await user.receives()
    if kinds.has_button(t("es", "button.support_new")):  # her cases first, then "another"
        await user.press(kinds, t("es", "button.support_new"))
        kinds = await user.receives()
    assert kinds.text == said("support.ask_kind")
    await user.press(kinds, t("es", f"support.kind.{kind}"))
    await user.receives(containing=said("support.ask_text"))
    hers = await user.send(text)
    answer = await user.receives(containing="Listo")
    assert user.is_deleted(hers)
    return answer


async def write(user: EmulatedUser, under: SentMessage, text: str) -> None:
    """Her tap on "Responder" under a message of the case, then her words."""
    await user.press(under, t("es", "button.support_write"))
    await user.receives(containing=said("support.ask_write"))
    await user.send(text)
    await user.receives(containing="Enviado")
