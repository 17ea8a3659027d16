"""Help beyond the bot, in /help for everyone, network or not: her country's organisations,
sexual-health services, legal aid and lines against violence behind one button per kind;
the country from her time zone, or asked. A country's emergency numbers are one more button,
labelled as the State's (police included), never in discreet mode. Her networks' own
resources come before these (bot/telegram/networks.py)."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.core.records import Member
from bot.core.resources import KINDS, Book, Entry, country_of, shipped_book
from bot.telegram.common import Context, keyboard, label, pressed, stale

LONGEST = 700  # characters of one message; a longer list goes in several


def book_of(context: Context) -> Book:
    """The deployment's resources (the shipped files with RESOURCES_PATH's)."""
    book = context.application.bot_data.get("resources")
    return book if isinstance(book, Book) else shipped_book()


def country_name(language: str, country: str) -> str:
    """The country in her language, as Babel names it: México / Mexico."""
    try:
        return str(Locale.parse(language).territories.get(country, country))
    except (UnknownLocaleError, ValueError):
        return country


def kinds_for(member: Member, book: Book, country: str) -> list[str]:
    """The kinds of resources of a country she is offered: not the emergency numbers in
    discreet mode, whose words would give the bot away."""
    return [k for k in book.kinds(country) if not (member.discreet and k == "emergency")]


async def offer(context: Context, member: Member) -> None:
    """Her country's resources behind a button per kind; the country asked when her zone
    names none the bot has resources for."""
    book = book_of(context)
    country = country_of(book, member.timezone)
    if country is None:
        await ask_country(context, member, book)
    else:
        await show_country(context, member, book, country)


async def ask_country(context: Context, member: Member, book: Book) -> None:
    lang = member.language
    rows = [[(country_name(lang, c), f"rs:{c}")] for c in sorted(book.countries)]
    await context.say("resources.ask_country", keyboard(rows))


async def show_country(context: Context, member: Member, book: Book, country: str) -> None:
    rows = [
        [(label(member, f"button.resources.{kind}"), f"rs:{country}:{kind}")]
        for kind in kinds_for(member, book, country)
    ]
    rows.append([(label(member, "button.resources.other_country"), "rs:ask")])
    await context.say(
        "resources.offer", keyboard(rows), country=country_name(member.language, country)
    )


def entry_text(entry: Entry, language: str) -> str:
    line = f"• {entry.name}: {entry.offers_in(language)}\n  {entry.contact}"
    return f"{line} · {entry.hours}" if entry.hours else line


def chunks(texts: list[str], longest: int) -> list[str]:
    """The entries joined into as few messages as keep each under `longest` characters."""
    found: list[str] = []
    for text in texts:
        if found and len(found[-1]) + 2 + len(text) <= longest:
            found[-1] += "\n\n" + text
        else:
            found.append(text)
    return found


async def on_resources_button(update: Update, context: Context) -> None:
    """A country chosen (`rs:<country>`), another country asked for (`rs:ask`), or one kind
    of its resources (`rs:<country>:<kind>`)."""
    member, parts = pressed(update, context, "rs")
    if not parts:
        return
    book = book_of(context)
    if parts == ["ask"]:
        await ask_country(context, member, book)
        return
    country = parts[0]
    if country not in book.countries or len(parts) > 2:
        stale(context)
        return
    if len(parts) == 1:
        await show_country(context, member, book, country)
        return
    kind = parts[1]
    if kind not in KINDS or kind not in kinds_for(member, book, country):
        stale(context)
        return
    lang = member.language
    key = "resources.list.emergency" if kind == "emergency" else "resources.list"
    texts = [entry_text(entry, lang) for entry in book.entries(country, kind)]
    for text in chunks(texts, LONGEST - 120):
        await context.say(
            key,
            kind=label(member, f"resources.kind.{kind}"),
            country=country_name(lang, country),
            entries=text,
        )


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_resources_button, pattern=r"^rs:")]
