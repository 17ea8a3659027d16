"""Her private record in Telegram (/registro, /record): off until she turns it on; then her
entries, newest first, five a page, each with its delete button; a new entry one question at
a time (when, where, what, who; each skippable, her messages deleted once kept); the whole
record exported as one protected document to her own chat; delete all, or turn it off."""

from __future__ import annotations

from datetime import datetime

from telegram import Location, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import private_record
from bot.core.context import Refused
from bot.core.records import Conversation, Member, RecordEntry
from bot.i18n import day_and_time, short_date, t
from bot.telegram.commands import names
from bot.telegram.common import Context, keyboard, label, number, pressed, stale
from bot.telegram.render.private_record import day_of
from bot.telegram.steps import Step, StepHandlers

PAGE = 5
PREVIEW = 48
QUESTIONS = ("when", "where", "what", "who")
STEPS = {field: Step(f"record.{field}") for field in QUESTIONS}


def _periods(member: Member, chosen: int = 0) -> list[tuple[str, str]]:
    return [
        (
            ("✓ " if days == chosen else "") + label(member, "button.record_days", days=days),
            f"rg:on:{days}",
        )
        for days in private_record.PERIODS
    ]


async def on_record_command(update: Update, context: Context) -> None:
    """/registro: what it is and a choice of periods while it is off; her entries once on."""
    member = context.member
    if member is None:
        return
    if member.conversation and member.conversation.step in STEPS.values():
        context.converse(None)  # she asked for the list: the half-written entry is dropped
    if not member.record_days:
        rows = [_periods(member), [(label(member, "button.record_not_now"), "rg:no")]]
        await context.say("record.intro", keyboard(rows))
        return
    await show_list(context, member, 0)


def preview(member: Member, entry: RecordEntry) -> str:
    """One short line: the day (and time) and the start of what she wrote."""
    if entry.exact and not entry.approx:
        when = day_and_time(entry.happened_at, member.language, member.timezone)
    else:
        when = day_of(member, entry.happened_at)
    text = " · ".join(" ".join(v.split()) for v in (entry.what, entry.where, entry.who) if v)
    if len(text) > PREVIEW:
        text = text[: PREVIEW - 1].rstrip() + "…"
    return f"{when} — {text}"


async def show_list(context: Context, member: Member, page: int) -> None:
    found = await private_record.entries(context.work, member)
    new = [(label(member, "button.record_new"), "rg:new")]
    options = (label(member, "button.record_options"), "rg:opt")
    if not found:
        await context.say("record.empty", keyboard([new, [options]]), days=member.record_days)
        return
    pages = (len(found) + PAGE - 1) // PAGE
    page = min(max(page, 0), pages - 1)
    shown = found[page * PAGE : (page + 1) * PAGE]
    first = page * PAGE + 1
    lines = [f"{first + i}. {preview(member, entry)}" for i, entry in enumerate(shown)]
    rows = [new]
    rows.append(
        [
            (label(member, "button.record_delete", n=first + i), f"rg:del:{entry.id}")
            for i, entry in enumerate(shown)
        ]
    )
    turn = []
    if page > 0:
        turn.append(("◀", f"rg:page:{page - 1}"))
    if page < pages - 1:
        turn.append(("▶", f"rg:page:{page + 1}"))
    if turn:
        rows.append(turn)
    rows.append([(label(member, "button.record_export"), "rg:exp"), options])
    await context.say(
        "record.list",
        keyboard(rows),
        True,
        count=len(found),
        days=member.record_days,
        lines="\n".join(lines),
        page=page + 1,
        pages=pages,
    )


async def on_record_button(update: Update, context: Context) -> None:
    """Every rg: button."""
    member, parts = pressed(update, context, "rg")
    if not parts:
        return
    action, value = parts[0], parts[1] if len(parts) > 1 else ""
    if action == "f" and len(parts) == 3:
        await _form_button(context, member, parts[1], parts[2])
    elif action == "on" and len(parts) == 2:
        await _turn_on(context, member, value)
    elif action == "no":
        await context.say("record.not_now")
    elif not member.record_days:
        await context.say("record.error.off")
    elif action == "new":
        await ask(context, member, {})
    elif action == "page" and len(parts) == 2:
        page = number(value, 10_000)
        if page is None:
            stale(context)
            return
        await show_list(context, member, page)
    elif action in ("del", "delok") and len(parts) == 2:
        await _delete(context, member, value, action == "delok")
    elif action == "keep":
        await context.say("record.kept")
    elif action == "exp":
        if not await private_record.export(context.work, member):
            await context.say("record.nothing_to_export")
    elif action == "opt":
        rows = [
            _periods(member, member.record_days),
            [(label(member, "button.record_all"), "rg:all")],
            [(label(member, "button.record_off"), "rg:off")],
        ]
        await context.say("record.options", keyboard(rows), days=member.record_days)
    elif action in ("all", "off"):
        yes = f"button.record_{action}_yes"
        rows = [
            [(label(member, yes), f"rg:{action}ok")],
            [(label(member, "button.record_keep"), "rg:keep")],
        ]
        count = len(await private_record.entries(context.work, member))
        await context.say(f"record.{action}_confirm", keyboard(rows), count=count)
    elif action == "allok":
        gone = await private_record.delete_all(context.work, member)
        await context.say("record.deleted_all", count=gone)
    elif action == "offok":
        await private_record.turn_off(context.work, member)
        await context.say("record.saved_off")
    else:
        stale(context)


async def _turn_on(context: Context, member: Member, value: str) -> None:
    days = number(value, 999)
    was_on = bool(member.record_days)
    saved = await private_record.turn_on(context.work, member, days or 0)
    if isinstance(saved, Refused):
        stale(context)
        return
    if was_on:
        await context.say("record.period_saved", days=saved.record_days)
        return
    rows = [[(label(saved, "button.record_new"), "rg:new")]]
    await context.say("record.saved_on", keyboard(rows), days=saved.record_days)


async def _delete(context: Context, member: Member, entry_id: str, confirmed: bool) -> None:
    found = {e.id: e for e in await private_record.entries(context.work, member)}
    entry = found.get(entry_id)
    if entry is None:
        await context.say("record.error.gone")
    elif confirmed:
        await private_record.delete(context.work, member, entry_id)
        await context.say("record.deleted")
    else:
        rows = [
            [(label(member, "button.record_delete_yes"), f"rg:delok:{entry_id}")],
            [(label(member, "button.record_keep"), "rg:keep")],
        ]
        await context.say(
            "record.delete_confirm", keyboard(rows), True, entry=preview(member, entry)
        )


# -- a new entry, one question at a time ---------------------------------------------------


def draft_of(member: Member) -> tuple[str, dict[str, str]] | None:
    """The question she is at and what she answered so far; None outside the form."""
    at = member.conversation
    if at is None:
        return None
    for field, step in STEPS.items():
        if at.step == step:
            return field, dict(at.data)
    return None


async def ask(context: Context, member: Member, draft: dict[str, str]) -> None:
    """Ask the next question; with every question answered or skipped, keep the entry."""
    field = next((f for f in QUESTIONS if f not in draft), None)
    if field is None:
        await _save(context, member, draft)
        return
    context.converse(Conversation(STEPS[field], draft))
    cancel = [(label(member, "button.cancel"), f"rg:f:{field}:cancel")]
    if field == "when":
        rows = [
            [
                (label(member, "button.record_now"), "rg:f:when:now"),
                (label(member, "button.record_today"), "rg:f:when:today"),
                (label(member, "button.record_yesterday"), "rg:f:when:yday"),
            ],
            cancel,
        ]
    else:
        rows = [[(label(member, "button.record_skip"), f"rg:f:{field}:skip")], cancel]
    await context.say(f"record.ask.{field}", keyboard(rows))


async def _form_button(context: Context, member: Member, field: str, action: str) -> None:
    at = draft_of(member)
    if at is None or at[0] != field:
        await context.say("record.error.closed")
        return
    draft = at[1]
    if action == "cancel":
        context.converse(None)
        await context.say("record.cancelled")
    elif field == "when" and action in ("now", "today", "yday"):
        said = {"now": "ahora", "today": "hoy", "yday": "ayer"}[action]
        await _answer(context, member, draft, field, said)
    elif field != "when" and action == "skip":
        await ask(context, member, {**draft, field: ""})
    else:
        stale(context)


async def _answer(
    context: Context, member: Member, draft: dict[str, str], field: str, text: str
) -> bool:
    """Keep one answer and ask the next question; a refusal says why and asks again."""
    if field == "when":
        parsed = private_record.parse_when(text, context.work.clock.now(), member.timezone)
        if isinstance(parsed, Refused):
            await context.refuse(parsed)
            await ask(context, member, draft)
            return False
        moment, exact = parsed
        await ask(context, member, {**draft, "when": moment.isoformat(), "exact": str(int(exact))})
        return True
    cleaned = private_record.clean(field, text)
    if isinstance(cleaned, Refused):
        await context.refuse(cleaned)
        await ask(context, member, draft)
        return False
    await ask(context, member, {**draft, field: cleaned})
    return True


async def on_record_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    """Her answer, typed; deleted from the chat once it is in the entry."""
    draft = draft_of(member)
    if draft is None:
        return False
    if await _answer(context, member, draft[1], draft[0], text):
        await context.delete(message)
    return True


async def on_record_pin(
    context: Context, member: Member, at: Conversation, shared: Location
) -> bool:
    """A pin when she is asked where: its coordinates are the place."""
    draft = draft_of(member)
    if draft is None or draft[0] != "where" or shared.live_period:
        return False
    place = f"📍 {shared.latitude:.5f}, {shared.longitude:.5f}"
    await ask(context, member, {**draft[1], "where": place})
    return True


async def on_record_other(context: Context, member: Member, at: Conversation) -> bool:
    """A photo, a voice note, a sticker: only text is kept; the question stays."""
    draft = draft_of(member)
    if draft is None:
        return False
    await context.say("record.hint.text_only")
    await ask(context, member, draft[1])
    return True


async def _save(context: Context, member: Member, draft: dict[str, str]) -> None:
    context.converse(None)
    try:
        happened = datetime.fromisoformat(draft.get("when", ""))
    except ValueError:
        happened = context.work.clock.now()
    kept = await private_record.add(
        context.work,
        member,
        happened,
        draft.get("exact") == "1",
        draft.get("where", ""),
        draft.get("what", ""),
        draft.get("who", ""),
    )
    if isinstance(kept, Refused):
        await context.refuse(kept)
        return
    ends = private_record.expires_at(kept.written_at, member.record_days)
    rows = [
        [(label(member, "button.record_new_another"), "rg:new")],
        [(label(member, "button.record_list"), "rg:page:0")],
    ]
    await context.say("record.saved", keyboard(rows), day=short_date(ends.date(), member.language))


def steps() -> dict[Step, StepHandlers]:
    form = StepHandlers(text=on_record_text, location=on_record_pin, other=on_record_other)
    return dict.fromkeys(STEPS.values(), form)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(names("record"), on_record_command),
        CallbackQueryHandler(on_record_button, pattern=r"^rg:"),
    ]


# -- from the /warn form: written once, kept twice -----------------------------------------


def warning_toggle(member: Member, draft: dict[str, str]) -> list[tuple[str, str]] | None:
    """Under the review of her warning, while her record is on: ☐/☑ keep it there too."""
    if not member.record_days:
        return None
    on = draft.get("record") == "1"
    key = "button.warn_record_on" if on else "button.warn_record_off"
    return [(label(member, key), f"wf:{draft['draft']}:rec:{'off' if on else 'on'}")]


async def keep_warning(context: Context, member: Member, params: dict[str, object]) -> None:
    """Her warning, as she wrote it (`warnings.draft_params`), as an entry of her record."""
    lang, now = member.language, context.work.clock.now()
    when = str(params.get("when", ""))
    parsed = private_record.parse_when(
        "ayer" if when == "yesterday" else "hoy", now, member.timezone
    )
    happened = parsed[0] if not isinstance(parsed, Refused) else now
    kind = t(lang, f"warning.kind.{params.get('kind', 'other')}")
    who = " · ".join(str(params.get(k) or "") for k in ("name", "phone", "plate"))
    kept = await private_record.add(
        context.work,
        member,
        happened,
        False,
        str(params.get("area") or ""),
        f"{kind}: {params.get('text') or ''}",
        " · ".join(part for part in who.split(" · ") if part),
        approx=when if when in ("week", "earlier") else "",
    )
    if isinstance(kept, Refused):
        await context.refuse(kept)
    else:
        await context.say("record.saved_from_warning")
