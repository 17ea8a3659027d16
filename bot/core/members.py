"""Members: found by Telegram id (blind-indexed), an alias, a language, a conversation."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.core import zones
from bot.core.context import Refused, Work
from bot.core.records import Address, Member

LANGUAGES = ("es", "en")
MAX_ALIAS = 40
_SEEN_GRANULARITY = timedelta(hours=1)


def language_from_telegram(code: str | None) -> str:
    """Spanish first; English when her Telegram is in English."""
    return "en" if code and code.lower().startswith("en") else "es"


async def identify(work: Work, telegram_user_id: int, language_code: str | None) -> Member:
    """The member behind an update, created on first contact; marks her reachable again."""
    now = work.clock.now()
    member = await work.members.find_by_telegram(telegram_user_id)
    if member is None:
        return await work.members.add(
            telegram_user_id,
            language_from_telegram(language_code),
            work.limits.default_timezone,
            now,
        )
    if now - member.last_seen_at >= _SEEN_GRANULARITY:
        member = replace(member, last_seen_at=now)
        await work.members.save(member)
    if work.members.unreachable(member.id):
        await work.contacts.mark_reachable(member.id)
    return member


def clean_alias(text: str) -> str | Refused:
    """An alias is one short line of visible text."""
    alias = " ".join(text.split())
    if not alias or alias.startswith("/"):
        return Refused("alias.error.empty")
    if len(alias) > MAX_ALIAS:
        return Refused("alias.error.long", {"max": str(MAX_ALIAS)})
    return alias


async def set_alias(work: Work, member: Member, text: str) -> Member | Refused:
    alias = clean_alias(text)
    if isinstance(alias, Refused):
        return alias
    return await save(work, replace(member, alias=alias))


async def set_language(work: Work, member: Member, language: str) -> Member | Refused:
    if language not in LANGUAGES:
        return Refused("language.error.unknown")
    return await save(work, replace(member, language=language))


# The zones she may choose (bot/core/zones.py); a deployment's default zone
# (COMPANERA_DEFAULT_TIMEZONE) is always accepted too.
ZONES = zones.ZONES


async def set_timezone(work: Work, member: Member, zone: str) -> Member | Refused:
    """The zone in which her deadlines are shown."""
    if zone not in ZONES and zone != work.limits.default_timezone:
        return Refused("timezone.error.unknown")
    return await save(work, replace(member, timezone=zone))


async def set_discreet(work: Work, member: Member, discreet: bool) -> Member:
    """Neutral wording in her chat ("appointment", no "check-in", "alert" or "SOS")."""
    return await save(work, replace(member, discreet=discreet))


async def set_legal_support(work: Work, member: Member, on: bool) -> Member:
    """A coordinator's choice to receive her networks' detention alarms (sealed with her
    settings). Whether she coordinates a network is checked by the caller."""
    return await save(work, replace(member, legal_support=on))


async def set_checklist(work: Work, member: Member, on: bool) -> Member:
    """The checklist before a date, shown when she starts a check-in step by step."""
    return await save(work, replace(member, checklist=on))


async def set_share_partners(work: Work, member: Member, on: bool) -> Member:
    """Whether her shift partners see her details and location (off: her alias and her
    time only)."""
    return await save(work, replace(member, share_partners=on))


async def set_address(work: Work, member: Member, value: str) -> Member | Refused:
    """Her form of address: ella, él or neutral wording, to her and about her."""
    try:
        address = Address(value)
    except ValueError:
        return Refused("address.error.unknown")
    return await save(work, replace(member, address=address))


async def save(work: Work, member: Member) -> Member:
    """Her alias, language, zone, wording and last visit (her conversation is written by
    the update, once)."""
    await work.members.save(member)
    return member


async def take_sent_messages(work: Work, member: Member) -> list[int]:
    """The ids of the bot's messages in her chat that are still on record (sent within
    OUTBOX_SENT_TTL_SECONDS), for /clean; each is handed out once."""
    return await work.outbox.take_message_ids(member.id)
