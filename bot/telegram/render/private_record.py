"""Her private record as one document, written in her language when it is sent: a plain
text file, made in memory (never on disk), sent protected to her own chat."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.core.notifications import RecordExport
from bot.core.private_record import entry_from_json
from bot.core.records import Member, RecordEntry
from bot.i18n import day_and_time, t, wording
from bot.telegram.render.base import Outgoing, Renderers


def _say(to: Member, key: str, **params: object) -> str:
    lang = to.language
    return t(lang, wording(lang, key, to.discreet, to.address), **params)


def day_of(to: Member, moment: datetime) -> str:
    """12 mar 2026 / Mar 12, 2026, in her zone."""
    return format_date(
        moment.astimezone(ZoneInfo(to.timezone)), format="medium", locale=to.language
    )


def when_of(to: Member, entry: RecordEntry) -> str:
    """When it happened, as precisely as she said."""
    if entry.approx in ("week", "earlier"):
        return _say(to, f"record.when.{entry.approx}", day=day_of(to, entry.happened_at))
    if entry.exact:
        return day_and_time(entry.happened_at, to.language, to.timezone)
    return day_of(to, entry.happened_at)


def document_text(export: RecordExport, to: Member) -> str:
    found = [entry_from_json(raw) for raw in export.entries]
    lines = [
        _say(to, "record.doc.title"),
        _say(to, "record.doc.made", day=day_and_time(export.made_at, to.language, to.timezone)),
        t(to.language, "record.doc.count", count=len(found)),
        "",
    ]
    for number, entry in enumerate(found, 1):
        lines.append(f"{number}. {when_of(to, entry)}")
        for field in ("where", "what", "who"):
            value = getattr(entry, field)
            if value:
                lines.append(f"   {t(to.language, f'record.field.{field}')}: {value}")
        written = day_and_time(entry.written_at, to.language, to.timezone)
        lines.append("   " + t(to.language, "record.doc.written", day=written))
        lines.append("")
    return "\n".join(lines)


def record_export(export: RecordExport, to: Member) -> Outgoing:
    day = export.made_at.astimezone(ZoneInfo(to.timezone)).date().isoformat()
    filename = _say(to, "record.doc.filename", day=day)
    body = document_text(export, to).encode("utf-8")
    caption = _say(to, "record.exported", count=len(export.entries))
    return Outgoing(caption, protect=True, document=(filename, body))


def renderers() -> Renderers:
    return {RecordExport: record_export}
