"""Warnings in Telegram: the /warn form (buttons first, kept in the database so that a
restart or a pause loses nothing), moderation with /pending, /check, and the buttons under
a published warning."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.core import members, networks, warnings
from bot.core.context import Refused
from bot.core.networks import Joined
from bot.core.warnings import EXTRAS, KINDS, WHEN, Submitted, ToReview
from bot.i18n import t
from bot.telegram.common import (
    Context,
    core_of,
    delete_quietly,
    keyboard,
    member_of,
    pressed,
    refuse,
    say,
)
from bot.telegram.networks import by_short, short
from bot.telegram.render import warning_text
from storage.records import Conversation, Member

STEP = "warn."
TYPED = ("area", "text", "phone", "plate", "name")  # answers she types (the rest: buttons)


def draft_of(member: Member) -> dict[str, str] | None:
    conversation = member.conversation
    if conversation and conversation.step.startswith(STEP) and conversation.data.get("draft"):
        return dict(conversation.data)
    return None


async def on_warn_command(update: Update, context: Context) -> None:
    """/warn: a form with buttons; a form she left half-way is offered again."""
    member = await member_of(update, context)
    if member is None:
        return
    mine = await networks.my_networks(core_of(context), member)
    if not mine:
        await say(context, member, "network.error.not_member")
        return
    draft = draft_of(member)
    if draft is not None and len(draft) > 2:
        rows = [
            [(t(member.language, "button.warn_resume"), f"wf:{draft['draft']}:resume:-")],
            [(t(member.language, "button.warn_restart"), f"wf:{draft['draft']}:restart:-")],
        ]
        await say(context, member, "warn.resume", keyboard(rows))
        return
    await ask(context, member, warnings.new_draft(mine), mine)


async def ask(
    context: Context, member: Member, draft: dict[str, str], mine: list[Joined] | None = None
) -> None:
    """Save the form and ask its next question, with buttons."""
    core = core_of(context)
    mine = mine if mine is not None else await networks.my_networks(core, member)
    field = warnings.next_field(draft)
    step = "warn.ask_" + draft.pop("asking") if draft.get("asking") else STEP + field
    await members.set_conversation(core, member, Conversation(step, draft))
    lang, d = member.language, draft["draft"]
    network = next((n for n in mine if n.network.id == draft.get("network")), None)
    cancel = [(t(lang, "button.cancel"), f"wf:{d}:cancel:-")]
    if step.startswith("warn.ask_"):
        await say(context, member, f"warn.ask.{step[len('warn.ask_') :]}", keyboard([cancel]))
    elif field == "network":
        rows = [[(n.network.name, f"wf:{d}:network:{short(n.network.id)}")] for n in mine]
        await say(context, member, "warn.ask.network", keyboard([*rows, cancel]))
    elif field == "kind":
        buttons = [(t(lang, f"warning.kind.{kind}"), f"wf:{d}:kind:{kind}") for kind in KINDS]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        await say(context, member, "warn.ask.kind", keyboard([*rows, cancel]))
    elif field == "area" and network is not None:
        rows = [[(a.name, f"wf:{d}:area:{a.id}")] for a in network.config.areas]
        await say(context, member, "warn.ask.area", keyboard([*rows, cancel]))
    elif field == "when":
        rows = [[(t(lang, f"button.when.{when}"), f"wf:{d}:when:{when}")] for when in WHEN]
        await say(context, member, "warn.ask.when", keyboard([*rows, cancel]))
    elif field == "text":
        await say(context, member, "warn.ask.text", keyboard([cancel]))
    elif field == "extras":
        rows = [
            [(t(lang, f"button.add_{name}"), f"wf:{d}:add:{name}")]
            for name in EXTRAS
            if not draft.get(name)
        ]
        rows.append([(t(lang, "button.warn_review"), f"wf:{d}:extras:done")])
        await say(context, member, "warn.ask.extras", keyboard([*rows, cancel]))
    elif network is not None:
        await _review(context, member, draft, network)
    else:  # her network is gone (she left or was removed): start the choice again
        await ask(context, member, warnings.clear(draft, "network"), mine)


async def _review(context: Context, member: Member, draft: dict[str, str], joined: Joined) -> None:
    lang, d = member.language, draft["draft"]
    today = core_of(context).clock.now().date()
    preview = warning_text(lang, warnings.draft_params(draft, joined, today))
    rows = [
        [(t(lang, "button.warn_send"), f"wf:{d}:send:-")],
        [(t(lang, "button.warn_change"), f"wf:{d}:change:-")],
        [(t(lang, "button.cancel"), f"wf:{d}:cancel:-")],
    ]
    await say(context, member, "warn.review", keyboard(rows), True, preview=preview)


async def on_warn_button(update: Update, context: Context) -> None:
    """Every button of the form; a button of a form that is closed gets a kind answer."""
    member, parts = await pressed(update, context, "wf")
    if len(parts) != 3:
        return
    draft_id, field, value = parts
    draft = draft_of(member)
    if draft is None or draft["draft"] != draft_id:
        await say(context, member, "warn.error.closed")
        return
    core = core_of(context)
    mine = await networks.my_networks(core, member)
    if not mine:  # removed, or she left, half-way through the form
        await members.set_conversation(core, member, None)
        await say(context, member, "network.error.not_member")
    elif field == "cancel":
        await members.set_conversation(core, member, None)
        await say(context, member, "warn.cancelled")
    elif field == "restart":
        await ask(context, member, warnings.new_draft(mine), mine)
    elif field == "resume":
        await ask(context, member, draft, mine)
    elif field == "send":
        await _send(context, member, draft)
    elif field == "change":
        rows = [
            [(t(member.language, f"button.change_{name}"), f"wf:{draft_id}:edit:{name}")]
            for name in ("kind", "area", "when", "text", *EXTRAS)
        ]
        if len(mine) > 1:
            rows.insert(
                0, [(t(member.language, "button.change_network"), f"wf:{draft_id}:edit:network")]
            )
        await say(context, member, "warn.ask.change", keyboard(rows))
    elif field == "edit":
        cleared = warnings.clear(draft, value)
        await ask(
            context, member, {**cleared, "asking": value} if value in EXTRAS else cleared, mine
        )
    elif field == "add" and value in EXTRAS:
        await ask(context, member, {**draft, "asking": value}, mine)
    elif field == "extras":
        await ask(context, member, {**draft, "extras": "done"}, mine)
    elif field == "network":
        joined = by_short(mine, value)
        await _answer(context, member, draft, field, joined.network.id if joined else "", mine)
    else:
        await _answer(context, member, draft, field, value, mine)


async def _answer(
    context: Context,
    member: Member,
    draft: dict[str, str],
    field: str,
    value: str,
    mine: list[Joined],
) -> bool:
    """Record one answer and ask the next question; a refusal says why and asks again."""
    network = next((n for n in mine if n.network.id == draft.get("network")), None)
    if field == "network":
        network = next((n for n in mine if n.network.id == value), None)
        answered: dict[str, str] | Refused = (
            {**warnings.clear(draft, "network"), "network": value}
            if network
            else Refused("network.error.not_member")
        )
    else:
        answered = warnings.answer(draft, field, value, network.config if network else None)
    if isinstance(answered, Refused):
        await refuse(context, member, answered)
        await ask(
            context, member, draft if field not in EXTRAS else {**draft, "asking": field}, mine
        )
        return False
    await ask(context, member, answered, mine)
    return True


async def on_warn_text(
    context: Context, member: Member, step: str, text: str, message: Message
) -> None:
    """A typed answer: the area's name, the description, a phone number, a plate, a name.
    Her message is deleted once it is in the form; at a button step, she is reminded."""
    draft = draft_of(member)
    if draft is None:
        await say(context, member, "hint.free_text")
        return
    field = step.removeprefix("warn.ask_").removeprefix(STEP)
    mine = await networks.my_networks(core_of(context), member)
    if field not in TYPED:
        await say(context, member, "warn.hint.buttons")
        await ask(context, member, draft, mine)
        return
    if await _answer(context, member, draft, field, text, mine):
        await delete_quietly(message)


async def on_warn_pin(context: Context, member: Member, latitude: float, longitude: float) -> bool:
    """A pin while the form asks for the area: the nearest area of her network."""
    draft = draft_of(member)
    if draft is None or warnings.next_field(draft) != "area" or not draft.get("network"):
        return False
    mine = await networks.my_networks(core_of(context), member)
    network = next((n for n in mine if n.network.id == draft["network"]), None)
    if network is None:
        return False
    answered = warnings.answer_pin(draft, network.config, latitude, longitude)
    if isinstance(answered, Refused):
        await refuse(context, member, answered)
    await ask(context, member, draft if isinstance(answered, Refused) else answered, mine)
    return True


async def on_warn_other(context: Context, member: Member) -> None:
    """A photo, a sticker, a voice note in the middle of the form: nothing is lost."""
    draft = draft_of(member)
    if draft is not None:
        await say(context, member, "warn.hint.not_text")
        await ask(context, member, draft)


async def _send(context: Context, member: Member, draft: dict[str, str]) -> None:
    sent = await warnings.submit(core_of(context), member, draft)
    if isinstance(sent, Refused):
        await refuse(context, member, sent)
        return
    await members.set_conversation(core_of(context), member, None)
    await say(context, member, sent_message(sent), recipients=sent.recipients)


def sent_message(sent: Submitted) -> str:
    return "warn.sent_published" if sent.published else "warn.sent_pending"


# /check


async def on_check_command(update: Update, context: Context) -> None:
    """/check <phone>: the warnings about that number; her message is deleted."""
    member = await member_of(update, context)
    if member is None:
        return
    if context.args:
        await check(context, member, " ".join(context.args))
        await delete_quietly(update.effective_message)
    else:
        await members.set_conversation(core_of(context), member, Conversation("check.phone"))
        await say(context, member, "check.ask")


async def check(context: Context, member: Member, text: str) -> None:
    if member.conversation and member.conversation.step == "check.phone":
        await members.set_conversation(core_of(context), member, None)
    found = await warnings.check_phone(core_of(context), member, text)
    if isinstance(found, Refused):
        await refuse(context, member, found)
        return
    if not found:
        await say(context, member, "check.none")
        return
    lang = member.language
    kinds = sorted({t(lang, f"warning.kind.{f.warning.body.get('kind', 'other')}") for f in found})
    items = "\n\n".join(
        warning_text(lang, warnings.warning_params(f.warning, f.network)) for f in found
    )
    await say(
        context,
        member,
        "check.found",
        None,
        True,
        n=len(found),
        kinds=", ".join(kinds),
        items=items,
    )


async def on_contact_card(update: Update, context: Context) -> None:
    """A contact card: the phone of the /warn form, or else a /check of its number."""
    member = await member_of(update, context)
    message = update.effective_message
    if member is None or message is None or message.contact is None:
        return
    number = message.contact.phone_number
    draft = draft_of(member)
    if draft is not None and member.conversation and member.conversation.step.endswith("phone"):
        mine = await networks.my_networks(core_of(context), member)
        if await _answer(context, member, draft, "phone", number, mine):
            await delete_quietly(message)
    elif draft is not None:
        await on_warn_other(context, member)
    else:
        await check(context, member, number)
        await delete_quietly(message)


# Moderation


async def on_pending_command(update: Update, context: Context) -> None:
    """/pending (or /approve): the oldest warning waiting, with its decisions."""
    member = await member_of(update, context)
    if member is not None:
        await show_next_to_review(context, member)


async def show_next_to_review(context: Context, member: Member) -> None:
    item = await warnings.next_to_review(core_of(context), member)
    if item is not None:
        await show_review(context, member, item)
        return
    mine = await networks.my_networks(core_of(context), member)
    coordinates = any(n.is_coordinator for n in mine)
    await say(
        context, member, "moderation.empty" if coordinates else "network.error.not_coordinator"
    )


async def show_review(context: Context, member: Member, item: ToReview) -> None:
    """A warning with a coordinator's decisions: a new one (publish, trust its author, fix,
    reject), or one already published (keep, remove)."""
    lang, w = member.language, item.warning.id
    if item.warning.status == "pending":
        rows = [
            [(t(lang, "button.approve"), f"mo:approve:{w}")],
            [(t(lang, "button.approve_trust"), f"mo:trust:{w}")],
            [(t(lang, "button.edit"), f"mo:edit:{w}")],
            [(t(lang, "button.reject"), f"mo:reject:{w}")],
        ]
        key = "moderation.pending"
    else:
        rows = [
            [(t(lang, "button.keep"), f"mo:keep:{w}")],
            [(t(lang, "button.remove_warning"), f"mo:remove:{w}")],
        ]
        key = "moderation.flagged" if item.warning.status == "flagged" else "moderation.published"
    text = warning_text(lang, warnings.warning_params(item.warning, item.network))
    await say(
        context,
        member,
        key,
        keyboard(rows),
        True,
        warning=text,
        waiting=item.waiting,
        flags=item.warning.flags,
    )


async def on_moderation_button(update: Update, context: Context) -> None:
    member, parts = await pressed(update, context, "mo")
    if len(parts) != 2:
        return
    decision, warning_id = parts
    core = core_of(context)
    if decision == "edit":
        step = Conversation("moderation.edit", {"warning_id": warning_id})
        await members.set_conversation(core, member, step)
        await say(context, member, "moderation.ask_text")
        return
    decided = await warnings.decide(core, member, warning_id, decision)
    if isinstance(decided, Refused):
        await refuse(context, member, decided)
    else:
        await say(context, member, f"moderation.done.{decided}")
    await show_next_to_review(context, member)


async def on_moderation_text(
    context: Context, member: Member, warning_id: str, text: str, message: Message
) -> None:
    """A coordinator's new text for a waiting warning; then it is shown again."""
    edited = await warnings.edit_text(core_of(context), member, warning_id, text)
    if isinstance(edited, Refused):
        await refuse(context, member, edited)
        return
    await members.set_conversation(core_of(context), member, None)
    await delete_quietly(message)
    await say(context, member, "moderation.edited")
    await show_next_to_review(context, member)


async def on_warning_button(update: Update, context: Context) -> None:
    """Under a published warning: "it happened to me too", or a flag."""
    member, parts = await pressed(update, context, "wn")
    if len(parts) != 2 or parts[0] not in ("me", "flag"):
        return
    what = "me_too" if parts[0] == "me" else "flags"
    if what == "flags":  # a coordinator of its network decides at once instead
        item = await warnings.to_review(core_of(context), member, parts[1])
        if not isinstance(item, Refused):
            await show_review(context, member, item)
            return
    counted = await warnings.mark(core_of(context), member, parts[1], what)
    if isinstance(counted, Refused):
        await refuse(context, member, counted)
    else:
        await say(context, member, f"warning.marked.{what}", n=counted)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("warn", on_warn_command),
        CommandHandler("check", on_check_command),
        CommandHandler(["pending", "approve"], on_pending_command),
        CallbackQueryHandler(on_warn_button, pattern=r"^wf:"),
        CallbackQueryHandler(on_moderation_button, pattern=r"^mo:"),
        CallbackQueryHandler(on_warning_button, pattern=r"^wn:"),
        MessageHandler(filters.ChatType.PRIVATE & filters.CONTACT, on_contact_card),
    ]
