"""Her private record (/registro, issue 17): incidents she keeps for a lawyer or an
organisation, only if she turns it on. Each entry (when, where, what happened, who; text
only) is sealed with her own key and expires after the period she chose (30, 90 or 365 days,
counted from when she wrote it, on the next day boundary). She lists, exports (one document
to her own chat, protected) and deletes them; /forget erases them with everything else."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core import members
from bot.core.context import Refused, Work
from bot.core.notifications.private_record import RecordExport
from bot.core.records import Member, RecordEntry

PERIODS = (30, 90, 365)
MAX_ENTRIES = 200  # an entry more is refused kindly: the export stays one document
MAX_LENGTH = {"where": 200, "what": 3500, "who": 300}
FIELDS = ("where", "what", "who")
MAX_YEARS_BACK = 20
# A time at the end: 22:30, 22.30, 22h, 10pm, 10:30 am (a bare number is not one).
_TIME = re.compile(r"(?:^|\s)(\d{1,2})(?:(?:[:.h])(\d{2})?\s*(am|pm|hrs?)?|\s*(am|pm))$")
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAYS_BACK = {
    "hoy": 0,
    "today": 0,
    "ayer": 1,
    "yesterday": 1,
    "anteayer": 2,
    "antier": 2,
    "antes de ayer": 2,
}
_NOW = ("ahora", "now", "ahorita", "recién", "recien", "ya")


def expires_at(written_at: datetime, days: int) -> datetime:
    """`days` after she wrote it, on the next day boundary (UTC): a copy of the database
    reads the day, never the minute, she wrote it."""
    end = written_at.astimezone(UTC) + timedelta(days=days)
    midnight = datetime.combine(end.date(), time(), UTC)
    return midnight if midnight == end else midnight + timedelta(days=1)


def parse_when(text: str, now: datetime, zone: str) -> tuple[datetime, bool] | Refused:
    """When it happened, as she typed it: "ahora", "hoy", "ayer", "anteayer", a date
    (12/3, 12/03/2026, 2026-03-12), each perhaps with a time (22:30, 10pm). Returns the
    moment (UTC; noon in her zone when only the day is known) and whether the time is
    known. The future and dates long ago are refused, kindly."""
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    said = " ".join(text.lower().split()).strip(" .,")
    if not said or said in _NOW:
        return now, True
    at: time | None = None
    found = _TIME.search(said)
    if found and not _DATE.match(said) and not _ISO.match(said):
        hour, minute, half = int(found[1]), int(found[2] or 0), found[3] or found[4]
        if half == "pm" and hour < 12:
            hour += 12
        if half == "am" and hour == 12:
            hour = 0
        if hour > 23 or minute > 59:
            return Refused("record.error.when")
        at = time(hour, minute)
        said = said[: found.start()].strip(" ,.")
        for joint in (" a las", " a la", " at"):
            said = said.removesuffix(joint)
        said = said.strip(" ,.")
    day = _day(said or "hoy", local_now.date())
    if day is None:
        return Refused("record.error.when")
    if day > local_now.date() or day.year < local_now.year - MAX_YEARS_BACK:
        return Refused("record.error.when_range")
    moment = datetime.combine(day, at or time(12), tz).astimezone(UTC)
    if at is not None and moment > now:
        return Refused("record.error.when_range")
    return moment, at is not None


def _day(said: str, today: date) -> date | None:
    if said in _DAYS_BACK:
        return today - timedelta(days=_DAYS_BACK[said])
    iso = _ISO.match(said)
    found = _DATE.match(said)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if found:
            year = int(found[3]) if found[3] else today.year
            year = year + 2000 if year < 100 else year
            day = date(year, int(found[2]), int(found[1]))
            if not found[3] and day > today:  # 28/12 typed in January: last year's
                day = day.replace(year=today.year - 1)
            return day
    except ValueError:
        return None
    return None


def clean(field: str, text: str) -> str | Refused:
    """One answer of the form: its text, at most MAX_LENGTH[field] characters."""
    value = text.strip()
    if len(value) > MAX_LENGTH[field]:
        return Refused("record.error.long", {"max": str(MAX_LENGTH[field])})
    return value


async def turn_on(work: Work, member: Member, days: int) -> Member | Refused:
    """Turn it on, or change how long entries are kept; her entries follow the new period
    (those already older than it go at once)."""
    if days not in PERIODS:
        return Refused("button.stale")
    now = work.clock.now()
    for entry in await work.private_record.of_member(member.id, now):
        end = expires_at(entry.written_at, days)
        if end <= now:
            await work.private_record.delete(member.id, entry.id)
        else:
            await work.private_record.set_expiry(member.id, entry.id, end)
    return await members.save(work, replace(member, record_days=days))


async def turn_off(work: Work, member: Member) -> Member:
    """Off: every entry is deleted with it."""
    await work.private_record.delete_all(member.id)
    return await members.save(work, replace(member, record_days=0))


async def entries(work: Work, member: Member) -> list[RecordEntry]:
    """Her entries, newest first (by when it happened, then when she wrote it)."""
    found = await work.private_record.of_member(member.id, work.clock.now())
    return sorted(found, key=lambda e: (e.happened_at, e.written_at), reverse=True)


async def add(
    work: Work,
    member: Member,
    happened_at: datetime,
    exact: bool,
    where: str = "",
    what: str = "",
    who: str = "",
    approx: str = "",
) -> RecordEntry | Refused:
    """Keep an entry; refused when her record is off, when it says nothing, or when it is
    full."""
    if not member.record_days:
        return Refused("record.error.off")
    texts = {"where": where.strip(), "what": what.strip(), "who": who.strip()}
    if not any(texts.values()):
        return Refused("record.error.empty")
    for field, value in texts.items():
        texts[field] = value[: MAX_LENGTH[field]]
    now = work.clock.now()
    if len(await work.private_record.of_member(member.id, now)) >= MAX_ENTRIES:
        return Refused("record.error.full", {"max": str(MAX_ENTRIES)})
    entry = RecordEntry("", now, happened_at, exact, approx=approx, **texts)
    entry_id = await work.private_record.add(member.id, entry, expires_at(now, member.record_days))
    if entry_id is None:
        return Refused("record.error.off")
    return replace(entry, id=entry_id)


async def delete(work: Work, member: Member, entry_id: str) -> bool:
    return await work.private_record.delete(member.id, entry_id)


async def delete_all(work: Work, member: Member) -> int:
    return await work.private_record.delete_all(member.id)


async def export(work: Work, member: Member) -> int:
    """Queue her whole record as one document to her own chat (protected); the outbox
    deletes its text once it is sent. Returns how many entries it holds (0: nothing sent)."""
    found = sorted(await entries(work, member), key=lambda e: (e.happened_at, e.written_at))
    if not found:
        return 0
    await work.notify(
        RecordExport(
            member.id,
            entries=[entry_json(entry) for entry in found],
            made_at=work.clock.now(),
        )
    )
    return len(found)


def entry_json(entry: RecordEntry) -> str:
    return json.dumps(
        {
            "happened": entry.happened_at.isoformat(),
            "exact": entry.exact,
            "approx": entry.approx,
            "written": entry.written_at.isoformat(),
            "where": entry.where,
            "what": entry.what,
            "who": entry.who,
        },
        ensure_ascii=False,
    )


def entry_from_json(text: str) -> RecordEntry:
    raw = json.loads(text)
    return RecordEntry(
        "",
        datetime.fromisoformat(raw["written"]),
        datetime.fromisoformat(raw["happened"]),
        bool(raw.get("exact")),
        str(raw.get("where", "")),
        str(raw.get("what", "")),
        str(raw.get("who", "")),
        str(raw.get("approx", "")),
    )
