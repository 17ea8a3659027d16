"""Commands in Spanish and English, from one table (bot/telegram/commands.py): each Spanish
name does what its English name does, for everyone; the menus are in each language; a
member in discreet mode gets a menu of her own that gives nothing away, gone when she
turns discreet mode off."""

from __future__ import annotations

import re
import unicodedata

import pytest

from bot.emulator import EmulatedUser, Fault
from bot.i18n import wording
from bot.telegram.commands import TABLE, Audience, menu
from tests.e2e.conftest import World
from tests.support.catalog import said

# Her chat in discreet mode never shows these (whole words; stems match any ending).
BANNED_WORDS = ("sos", "pin", "checkin", "alerta", "alert", "alerts", "emergency")
BANNED_STEMS = ("alert", "emergen", "contact", "auxili", "peligr", "danger", "check in")
# /auxilio raises an alarm and /limpiar deletes her chat: each has a test of its own.
# /sos alarms, /clean empties her chat, /shift starts a shift (and then gives another link).
SAME_REPLY = [c for c in TABLE if c.spanish and c.name not in ("sos", "clean", "shift")]


def gives_away(text: str) -> list[str]:
    """The words of the banned list in `text`: case, accents and hyphens do not count."""
    plain = "".join(
        char
        for char in unicodedata.normalize("NFKD", text.casefold())
        if unicodedata.category(char) != "Mn"
    )
    plain = plain.replace("-", "").replace("_", " ")
    words = set(re.findall(r"\w+", plain))
    spaced = " ".join(re.findall(r"\w+", plain.replace("checkin", "check in")))
    return [w for w in BANNED_WORDS if w in words] + [s for s in BANNED_STEMS if s in spaced]


def masked(text: str | None) -> str:
    """A reply with what differs between two asks (links, numbers) masked."""
    text = re.sub(r"start=\S+", "start=…", text or "")
    return re.sub(r"\d+", "#", text)


async def replies_to(world: World, user: EmulatedUser, command: str) -> list[tuple[str, list]]:
    before = len(user.inbox())
    await user.send(command)
    await world.settle()
    answers = [(masked(m.text), m.buttons()) for m in user.inbox()[before:]]
    for _ in answers:
        await user.receives()
    return answers


def test_the_banned_words_are_found() -> None:
    assert gives_away("Tu check-in") and gives_away("/checkin") and gives_away("🆘 SOS")
    assert gives_away("mis Contactos") and gives_away("zona peligrosa")
    assert gives_away("Emergencias") and gives_away("PIN de seguridad")
    assert not gives_away("Cerrar mi cita") and not gives_away("Pinta bien, espinoso")


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_discreet_menus_give_nothing_away(language: str) -> None:
    shown = menu(language, discreet=True)
    assert shown, language
    for command in shown:
        assert not gives_away(f"/{command.command} {command.description}"), command


async def test_every_spanish_name_does_what_its_english_name_does(world: World) -> None:
    (ana,) = await world.members("ana")
    for command in SAME_REPLY:
        english = await replies_to(world, ana, f"/{command.name}")
        spanish = await replies_to(world, ana, f"/{command.spanish}")
        assert english, command.name
        assert spanish == english, (command.name, command.spanish)


async def test_spanish_names_work_in_english_too_and_run_a_checkin(world: World) -> None:
    (eva,) = await world.members("eva", language="en")
    await eva.send("/cita 30m")
    await eva.receives(containing=said("checkin.started", "en"))
    await eva.send("/mas 15m")
    await eva.receives(containing=said("checkin.extended", "en"))
    await eva.send("/bien")
    await eva.receives(containing=said("checkin.safe", "en"))


async def test_auxilio_alerts_every_contact(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("/auxilio")
    await luz.receives(containing=said("alert.sos.title", alias="Ana"))


async def test_limpiar_cleans_her_chat(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/limpiar")
    await ana.receives(containing=said("clean.done"))


async def test_menus_in_each_language(world: World) -> None:
    emulator = world.emulator
    spanish = [c["command"] for c in emulator.commands["es"]]
    english = [c["command"] for c in emulator.commands["en"]]
    assert [c["command"] for c in emulator.commands[""]] == spanish  # the bot's default
    for name in ("cita", "bien", "mas", "auxilio", "clave", "contactos", "invitar", "avisar"):
        assert name in spanish
    for name in ("revisar", "borrar", "ayuda", "privacidad", "discreto", "idioma", "zona"):
        assert name in spanish
    assert "checkin" in english and "safe" in english and "cita" not in english
    menu_lines = {c.description for c in TABLE if c.description}
    assert len(spanish) == len(english) == len(menu_lines)
    assert not [c for c in TABLE if c.audience == Audience.COORDINATORS and c.name in english]
    ana, eva = emulator.user("ana"), emulator.user("eva", language_code="en")
    assert [c["command"] for c in emulator.menu(ana)] == spanish
    assert [c["command"] for c in emulator.menu(eva)] == english


async def discreet(user: EmulatedUser, on: bool, language: str = "es") -> None:
    """She turns discreet mode on or off with /discreet and its buttons."""
    await user.send("/discreet")
    asked = await user.receives(
        containing=said("discreet.is_on" if not on else "discreet.is_off", language)
    )
    await user.press(asked, said("button.discreet_on" if on else "button.discreet_off", language))
    await user.receives(
        containing=said("discreet.saved_on" if on else "discreet.saved_off", language)
    )


async def test_discreet_mode_has_a_menu_of_its_own(world: World) -> None:
    emulator = world.emulator
    ana, luz = await world.members("ana", "luz")
    default = emulator.menu(ana)
    await discreet(ana, on=True)
    await world.settle()
    hers = emulator.menu(ana)
    assert hers != default
    assert [c["command"] for c in hers][:3] == ["cita", "bien", "mas"]
    for command in hers:
        assert not gives_away(f"/{command['command']} {command['description']}"), command
    assert emulator.menu(luz) == default  # nobody else's menu changes

    await ana.send("/idioma")
    await ana.press(await ana.receives(containing=said("language.choose")), "English")
    await ana.receives(containing=said("language.saved", "en"))
    await world.settle()
    english = emulator.menu(ana)
    assert [c["command"] for c in english][:2] == ["appointment", "done"]
    for command in english:
        assert not gives_away(f"/{command['command']} {command['description']}"), command

    await discreet(ana, on=False, language="en")
    await world.settle()
    assert emulator.menu(ana) == default  # the menu for everyone again


async def test_forgetting_her_removes_her_menu(world: World) -> None:
    emulator = world.emulator
    (ana,) = await world.members("ana")
    default = emulator.menu(ana)
    await discreet(ana, on=True)
    await world.settle()
    assert emulator.menu(ana) != default
    await ana.send("/borrar")
    confirm = await ana.receives(containing=said(wording("es", "forget.confirm", True)))
    await ana.press(confirm, said("button.forget_yes"))
    await world.settle()
    assert emulator.menu(ana) == default


async def test_a_menu_telegram_refuses_never_fails_her_update(world: World) -> None:
    emulator = world.emulator
    (ana,) = await world.members("ana")
    for method in ("setMyCommands", "deleteMyCommands"):
        emulator.inject(Fault("server_error", method=method, times=None))
    await discreet(ana, on=True)
    await discreet(ana, on=False)
    await world.settle()
    assert emulator.requests["setMyCommands"] and emulator.requests["deleteMyCommands"]
    await ana.send("/cita 30m")
    await ana.receives(containing=said("checkin.started"))
