"""Accompaniment: /apoyo (/support) asks her network for accompaniment (the network, the
kind, then her words) or shows her cases; /casos (/cases) is the queue of a coordinator who
chose to be support. A message goes to a case after a tap on "Responder" (one message a
tap): her code word and "estoy bien" keep their meaning before any step, so they still work
while she writes to support."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import networks, support
from bot.core.context import Refused
from bot.core.records import CaseStatus, Conversation, Member
from bot.i18n import clock_time, t
from bot.telegram import alias_first
from bot.telegram.commands import names
from bot.telegram.common import Context, keyboard, label, pressed, stale
from bot.telegram.render.support import age, kind_label
from bot.telegram.steps import Step, StepHandlers

CASE_ACTIONS = frozenset({"take", "write", "close", "del", "delok"})


@alias_first.alias_first("support")
async def on_support_command(update: Update, context: Context) -> None:
    """/apoyo: her cases, if she has any, and a new request; else the request at once."""
    member = context.member
    if member is None:
        return
    views = await support.cases_of(context.work, member)
    if not views:
        await _ask_network(context, member)
        return
    now = context.work.clock.now()
    lang = member.language
    lines, rows = [], []
    for number, view in enumerate(views, 1):
        case = view.case
        state = t(lang, f"support.state.{case.status}")
        when = age(lang, int((now - case.created_at).total_seconds() // 60))
        kind = kind_label(member, case.kind)
        lines.append(f"{number}. {kind} — {view.network} — {when} ({state})")
        row = []
        if case.status != CaseStatus.CLOSED:
            row.append((label(member, "button.support_write_n", n=number), f"sp:write:{case.id}"))
            row.append((label(member, "button.support_close_n", n=number), f"sp:close:{case.id}"))
        row.append((label(member, "button.support_delete_n", n=number), f"sp:del:{case.id}"))
        rows.append(row)
    rows.append([(label(member, "button.support_new"), "sp:new")])
    await context.say("support.yours", keyboard(rows), protect=True, cases="\n".join(lines))


async def _ask_network(context: Context, member: Member) -> None:
    joined = await networks.joined(context.work, member.id)
    if not joined:
        await context.say("support.no_network")
    elif len(joined) == 1:
        await _ask_kind(context, member, joined[0].network.id)
    else:
        rows = [[(j.network.name, f"sp:net:{j.network.id}")] for j in joined]
        await context.say("support.ask_network", keyboard(rows))


async def _ask_kind(context: Context, member: Member, network_id: str) -> None:
    rows = [[(kind_label(member, kind), f"sp:k:{kind}:{network_id}")] for kind in support.KINDS]
    await context.say("support.ask_kind", keyboard(rows))


async def on_support_button(update: Update, context: Context) -> None:
    """A button of accompaniment: a network, a kind, a case's actions, the support role."""
    member, parts = pressed(update, context, "sp")
    if not parts:
        return
    action = parts[0]
    if action == "new" and len(parts) == 1:
        await _ask_network(context, member)
    elif action == "net" and len(parts) == 2:
        await _ask_kind(context, member, parts[1])
    elif action == "k" and len(parts) == 3 and parts[1] in support.KINDS:
        data = {"network": parts[2], "kind": parts[1]}
        context.converse(Conversation(Step.SUPPORT_TEXT, data))
        await context.say("support.ask_text")
    elif action in ("on", "off") and len(parts) == 1:
        await _set_role(context, member, action == "on")
    elif action in CASE_ACTIONS and len(parts) == 2:
        await _case_action(context, member, action, parts[1])
    else:
        stale(context)


async def _case_action(context: Context, member: Member, action: str, case_id: str) -> None:
    work = context.work
    if action == "take":
        view = await support.take(work, member, case_id)
        if isinstance(view, Refused):
            await context.refuse(view)
        else:
            await _show_case(context, member, view)
    elif action == "write":
        case = await work.support.get(case_id)
        if case is None or member.id not in (case.member_id, case.coordinator_id):
            await context.refuse(support.GONE)
        elif case.status == CaseStatus.CLOSED:
            await context.refuse(Refused("support.error.closed"))
        else:
            context.converse(Conversation(Step.SUPPORT_WRITE, {"case": case_id}))
            await context.say("support.ask_write")
    elif action == "close":
        closed = await support.close(work, member, case_id)
        if isinstance(closed, Refused):
            await context.refuse(closed)
        else:
            days = (await support.settings_of(work, closed.case.network_id)).retention_days
            await context.say("support.closed_ok", count=days)
    elif action == "del":
        buttons = keyboard([[(label(member, "button.support_delete_yes"), f"sp:delok:{case_id}")]])
        await context.say("support.delete_confirm", buttons)
    else:
        deleted = await support.delete_now(work, member, case_id)
        if isinstance(deleted, Refused):
            await context.refuse(deleted)
        else:
            await context.say("support.deleted_ok")


async def _show_case(context: Context, member: Member, view: support.CaseView) -> None:
    """The whole case, protected, to the coordinator who took it."""
    lang, case = member.language, view.case
    lines = []
    for message in case.messages:
        who = view.alias if message.by == support.MEMBER else t(lang, "support.from_support")
        lines.append(f"{who} ({clock_time(message.at, lang, member.timezone)}): {message.text}")
    buttons = keyboard(
        [
            [(label(member, "button.support_write"), f"sp:write:{case.id}")],
            [(label(member, "button.support_close"), f"sp:close:{case.id}")],
        ]
    )
    await context.say(
        "support.case",
        buttons,
        protect=True,
        kind=kind_label(member, case.kind),
        alias=view.alias,
        network=view.network,
        messages="\n".join(lines),
    )


async def _set_role(context: Context, member: Member, on: bool) -> None:
    if not await networks.coordinates_any(context.work, member):
        await context.say("support.not_coordinator")
        return
    member = await support.set_role(context.work, member, on)
    await _queue(context, member)


async def on_cases_command(update: Update, context: Context) -> None:
    """/casos: the queue of a support coordinator; the role's switch for any coordinator."""
    member = context.member
    if member is None:
        return
    if not await networks.coordinates_any(context.work, member):
        await context.say("support.not_coordinator")
        return
    await _queue(context, member)


async def _queue(context: Context, member: Member) -> None:
    if not member.support:
        buttons = keyboard([[(label(member, "button.support_on"), "sp:on")]])
        await context.say("support.role_off", buttons)
        return
    views = await support.queue(context.work, member)
    now = context.work.clock.now()
    lang = member.language
    lines, rows = [], []
    for number, view in enumerate(views, 1):
        case = view.case
        when = age(lang, int((now - case.created_at).total_seconds() // 60))
        mine = t(lang, "support.state.mine") if case.status == CaseStatus.TAKEN else ""
        kind = kind_label(member, case.kind)
        lines.append(f"{number}. {kind} — {view.alias} — {view.network} — {when} {mine}".strip())
        rows.append([(label(member, "button.support_open_n", n=number), f"sp:take:{case.id}")])
    rows.append([(label(member, "button.support_off"), "sp:off")])
    if lines:
        await context.say("support.queue", keyboard(rows), protect=True, cases="\n".join(lines))
    else:
        await context.say("support.queue_empty", keyboard(rows))


async def on_first_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    """Her words for a new case: it goes to support, her message leaves the chat."""
    told = await support.open_case(
        context.work, member, at.data.get("network", ""), at.data.get("kind", ""), text
    )
    if isinstance(told, Refused):
        if told.reason not in ("support.error.empty", "support.error.long"):
            context.converse(None)
        await context.refuse(told)
        return True
    context.converse(None)
    await context.say(
        "support.sent" if told else "support.sent_waiting",
        delete_first=message,
        key_if_kept="support.sent_kept",
    )
    return True


async def on_case_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    """One message to a case, relayed to the other side; hers leaves the chat."""
    case_id = at.data.get("case", "")
    written = await support.write(context.work, member, case_id, text)
    if isinstance(written, Refused):
        if written.reason not in ("support.error.empty", "support.error.long"):
            context.converse(None)
        await context.refuse(written)
        return True
    context.converse(None)
    waiting = written.case.status == CaseStatus.OPEN
    buttons = keyboard([[(label(member, "button.support_write_more"), f"sp:write:{case_id}")]])
    await context.say(
        "support.relayed_waiting" if waiting else "support.relayed",
        buttons,
        delete_first=message,
        key_if_kept="support.relayed_kept",
    )
    return True


async def on_other(context: Context, member: Member, at: Conversation) -> bool:
    """A photo, a voice note, a sticker: only words go to a case, kindly said."""
    await context.say("support.text_only")
    return True


def steps() -> dict[Step, StepHandlers]:
    return {
        Step.SUPPORT_TEXT: StepHandlers(text=on_first_text, other=on_other),
        Step.SUPPORT_WRITE: StepHandlers(text=on_case_text, other=on_other),
    }


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(names("support"), on_support_command),
        CommandHandler(names("cases"), on_cases_command),
        CallbackQueryHandler(on_support_button, pattern=r"^sp:"),
    ]
