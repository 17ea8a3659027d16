"""Every command, in one table: its English name, its Spanish name, the catalog key of its
line in the menu, and who sees it there. The handlers register their names from it
(`names`), and the menus are built from it (`menu`), so a new command is one line here and
one `CommandHandler(names("..."), ...)` in its feature module.

Both names work for everyone, whatever her language; the menu shows the Spanish names to
Spanish speakers (and to anyone whose Telegram is in neither language: the bot speaks
Spanish to them) and the English ones in English. Telegram's command names are ASCII only
(a-z, 0-9, _; python-telegram-bot refuses others), so /más is /mas.

A member in discreet mode gets a menu of her own (`BotCommandScopeChat`) with only the
commands marked `discreet`, each under a name and a line that give nothing away
(`<description>.discreet` when the catalog has one); it goes when she turns discreet mode
off. Menus are optional: a failure to set one is logged and forgotten."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from telegram import BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.core.records import Member
from bot.i18n import DEFAULT_LANGUAGE, t, wording
from bot.telegram.context import UpdateContext

log = logging.getLogger("companera.telegram")


class Audience(StrEnum):
    """Who the command is for, and so whose menu shows it."""

    EVERYONE = "everyone"
    MEMBERS = "members"  # members of a peer network (and anyone who may join one)
    COORDINATORS = "coordinators"  # never in a menu


@dataclass(frozen=True)
class Command:
    name: str  # the English name: works for everyone
    spanish: str | None  # the Spanish name: works for everyone too
    description: str | None  # the catalog key of its line in the menu; None: in no menu
    audience: Audience = Audience.EVERYONE
    discreet: bool = False  # in the discreet menu
    neutral: str | None = None  # another name, shown in the discreet menu instead of `name`
    also: tuple[str, ...] = ()  # older names that keep working

    def names(self) -> list[str]:
        """Every name she may type for it."""
        extra = (self.spanish, self.neutral, *self.also)
        return [self.name, *(name for name in extra if name and name != self.name)]

    def name_in(self, language: str, discreet: bool = False) -> str:
        """The name a menu in `language` shows."""
        if language == "es" and self.spanish:
            return self.spanish
        if discreet and self.neutral:
            return self.neutral
        return self.name


E, M, C = Audience.EVERYONE, Audience.MEMBERS, Audience.COORDINATORS

# The order is the menus' order.
TABLE: tuple[Command, ...] = (
    Command("checkin", "cita", "command.checkin", E, discreet=True, neutral="appointment"),
    Command("safe", "bien", "command.safe", E, discreet=True, neutral="done"),
    Command("extend", "mas", "command.extend", E, discreet=True),
    Command("sos", "auxilio", "command.sos", E),
    Command("detained", "detenida", "command.detained", E, also=("detenido", "detenide")),
    Command("drill", "simulacro", "command.drill", E),
    Command("codeword", "clave", "command.codeword", E),
    Command("pin", None, "command.pin", E),
    Command("invite", "invitar", "command.invite", E, discreet=True),
    Command("contacts", "contactos", "command.contacts", E),
    Command("shift", "turno", "command.shift", E),
    Command("record", "registro", "command.record", E, discreet=True),
    Command("note", "anotar", None, E),  # a partner's note; mostly from its button
    Command("warn", "avisar", "command.warn", M),
    Command("check", "revisar", "command.check", M),
    Command("areas", None, "command.areas", M),
    Command("join", "unirme", "command.join", M, also=("vouch",)),
    Command("network", "red", "command.network", M),
    Command("support", "apoyo", "command.support", M),
    Command("language", "idioma", "command.language", E, discreet=True),
    Command("timezone", "zona", "command.timezone", E, discreet=True),
    Command("privacy", "privacidad", "command.privacy", E, discreet=True),
    Command("discreet", "discreto", "command.discreet", E, discreet=True),
    Command("address", "trato", "command.address", E, discreet=True),
    Command("clean", "limpiar", "command.clean", E, discreet=True),
    Command("forget", "borrar", "command.forget", E, discreet=True),
    Command("help", "ayuda", "command.help", E, discreet=True),
    Command("start", None, None, E),
    Command("alias", None, None, E),
    Command("pending", None, None, C, also=("approve",)),
    Command("newmember", None, None, C),
    Command("remove", None, None, C),
    Command("legal", None, None, C),
    Command("cases", "casos", None, C),
)
_BY_NAME = {command.name: command for command in TABLE}


def command(name: str) -> Command:
    """The command whose English name is `name` (a KeyError for a name not in the table)."""
    return _BY_NAME[name]


def names(name: str) -> list[str]:
    """Every name of the command whose English name is `name`: for its CommandHandler."""
    return command(name).names()


def menu(language: str, discreet: bool = False) -> list[BotCommand]:
    """The menu in `language`; in discreet mode, only the discreet commands, in neutral
    words."""
    return [
        BotCommand(
            c.name_in(language, discreet),
            t(language, wording(language, c.description, discreet)),
        )
        for c in TABLE
        if c.description and c.audience != Audience.COORDINATORS and (c.discreet or not discreet)
    ]


def default_menus(languages: list[str]) -> list[tuple[str | None, list[BotCommand]]]:
    """(language code, menu) for every language, and the menu for anyone whose Telegram is
    in another language (no language code): the bot's default language's."""
    menus: list[tuple[str | None, list[BotCommand]]] = [
        (language, menu(language)) for language in languages
    ]
    menus.append((None, menu(DEFAULT_LANGUAGE)))
    return menus


def refresh_chat_menu(context: UpdateContext, member: Member) -> None:
    """Once the update is committed: her own neutral menu when she is in discreet mode (in
    her language), and none otherwise (the menu for everyone shows again). Never fails
    the update."""
    bot, chat_id = context.bot, member.chat_id
    discreet, commands = member.discreet, menu(member.language, discreet=True)

    async def refresh() -> None:
        scope = BotCommandScopeChat(chat_id)
        try:
            if discreet:
                await bot.set_my_commands(commands, scope=scope)
            else:
                await bot.delete_my_commands(scope=scope)
        except TelegramError as error:
            log.info("menu.not_set", extra={"error": type(error).__name__})
        except Exception as error:  # committed already: never a reason to fail the update
            log.warning("menu.not_set", extra={"error": type(error).__name__})

    context.after_commit(refresh)
