"""The /warn form in Telegram: buttons first, one question at a time, kept in her sealed
conversation so that a restart, a pause or a stray photo loses nothing; a contact card
answers its phone question (or, outside the form, is checked)."""

from __future__ import annotations

from telegram import Location, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import networks, warn_form, warnings
from bot.core.context import Refused
from bot.core.networks import Joined
from bot.core.records import Conversation, Member
from bot.core.warn_form import EXTRAS, KINDS, WHEN
from bot.core.warnings import Submitted
from bot.i18n import t
from bot.telegram import private_record
from bot.telegram.commands import names
from bot.telegram.common import (
    Context,
    keyboard,
    pressed,
    stale,
)
from bot.telegram.networks import by_id
from bot.telegram.render import warning_text
from bot.telegram.steps import WARN_FORM, Step, StepHandlers

TYPED = ("area", "text", "phone", "plate", "name")  # answers she types (the rest: buttons)


def draft_of(member: Member) -> dict[str, str] | None:
    conversation = member.conversation
    if conversation and conversation.step in WARN_FORM and conversation.data.get("draft"):
        return dict(conversation.data)
    return None


async def on_warn_command(update: Update, context: Context) -> None:
    """/warn: a form with buttons; a form she left half-way is offered again."""
    member = context.member
    if member is None:
        return
    mine = await networks.my_networks(context.work, member)
    if not mine:
        await context.say("network.error.not_member")
        return
    draft = draft_of(member)
    if draft is not None and len(draft) > 2:
        rows = [
            [(t(member.language, "button.warn_resume"), f"wf:{draft['draft']}:resume:-")],
            [(t(member.language, "button.warn_restart"), f"wf:{draft['draft']}:restart:-")],
        ]
        await context.say("warn.resume", keyboard(rows))
        return
    await ask(context, member, warn_form.new_draft(mine), mine)


async def ask(
    context: Context, member: Member, draft: dict[str, str], mine: list[Joined] | None = None
) -> None:
    """Save the form and ask its next question, with buttons."""
    core = context.work
    mine = mine if mine is not None else await networks.my_networks(core, member)
    field = warn_form.next_field(draft)
    asking = draft.pop("asking", "")  # an extra she chose to add, asked out of order
    step = Step(f"warn.ask_{asking}") if asking else Step(f"warn.{field}")
    context.converse(Conversation(step, draft))
    lang, d = member.language, draft["draft"]
    network = next((n for n in mine if n.network.id == draft.get("network")), None)
    cancel = [(t(lang, "button.cancel"), f"wf:{d}:cancel:-")]
    if asking:
        await context.say(f"warn.ask.{asking}", keyboard([cancel]))
    elif field == "network":
        rows = [[(n.network.name, f"wf:{d}:network:{n.network.id}")] for n in mine]
        await context.say("warn.ask.network", keyboard([*rows, cancel]))
    elif field == "kind":
        buttons = [(t(lang, f"warning.kind.{kind}"), f"wf:{d}:kind:{kind}") for kind in KINDS]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        await context.say("warn.ask.kind", keyboard([*rows, cancel]))
    elif field == "area" and network is not None:
        rows = [[(a.name, f"wf:{d}:area:{a.id}")] for a in network.config.areas]
        await context.say("warn.ask.area", keyboard([*rows, cancel]))
    elif field == "when":
        rows = [[(t(lang, f"button.when.{when}"), f"wf:{d}:when:{when}")] for when in WHEN]
        await context.say("warn.ask.when", keyboard([*rows, cancel]))
    elif field == "text":
        await context.say("warn.ask.text", keyboard([cancel]))
    elif field == "extras":
        rows = [
            [(t(lang, f"button.add_{name}"), f"wf:{d}:add:{name}")]
            for name in EXTRAS
            if not draft.get(name)
        ]
        rows.append([(t(lang, "button.warn_review"), f"wf:{d}:extras:done")])
        await context.say("warn.ask.extras", keyboard([*rows, cancel]))
    elif network is not None:
        await _review(context, member, draft, network)
    else:  # her network is gone (she left or was removed): start the choice again
        await ask(context, member, warn_form.clear(draft, "network"), mine)


async def _review(context: Context, member: Member, draft: dict[str, str], joined: Joined) -> None:
    lang, d = member.language, draft["draft"]
    today = context.work.clock.now().date()
    preview = warning_text(lang, warnings.draft_params(draft, joined, today))
    rows = [
        [(t(lang, "button.warn_send"), f"wf:{d}:send:-")],
        [(t(lang, "button.warn_change"), f"wf:{d}:change:-")],
        [(t(lang, "button.cancel"), f"wf:{d}:cancel:-")],
    ]
    keep = private_record.warning_toggle(member, draft)
    if keep is not None:  # her private record is on: written once, kept there too
        rows.insert(1, keep)
    await context.say("warn.review", keyboard(rows), True, preview=preview)


async def on_warn_button(update: Update, context: Context) -> None:
    """Every button of the form; a button of a form that is closed gets a kind answer."""
    member, parts = pressed(update, context, "wf")
    if len(parts) != 3:
        if parts:  # not answered yet
            stale(context)
        return
    draft_id, field, value = parts
    draft = draft_of(member)
    if draft is None or draft["draft"] != draft_id:
        await context.say("warn.error.closed")
        return
    core = context.work
    mine = await networks.my_networks(core, member)
    if not mine:  # removed, or she left, half-way through the form
        context.converse(None)
        await context.say("network.error.not_member")
    elif field == "cancel":
        context.converse(None)
        await context.say("warn.cancelled")
    elif field == "restart":
        await ask(context, member, warn_form.new_draft(mine), mine)
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
        await context.say("warn.ask.change", keyboard(rows))
    elif field == "edit":
        cleared = warn_form.clear(draft, value)
        await ask(
            context, member, {**cleared, "asking": value} if value in EXTRAS else cleared, mine
        )
    elif field == "add" and value in EXTRAS:
        await ask(context, member, {**draft, "asking": value}, mine)
    elif field == "extras":
        await ask(context, member, {**draft, "extras": "done"}, mine)
    elif field == "rec" and value in ("on", "off"):
        await ask(context, member, {**draft, "record": "1" if value == "on" else ""}, mine)
    elif field == "network":
        joined = by_id(mine, value)
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
            {**warn_form.clear(draft, "network"), "network": value}
            if network
            else Refused("network.error.not_member")
        )
    else:
        answered = warn_form.answer(draft, field, value, network.config if network else None)
    if isinstance(answered, Refused):
        await context.refuse(answered)
        await ask(
            context, member, draft if field not in EXTRAS else {**draft, "asking": field}, mine
        )
        return False
    await ask(context, member, answered, mine)
    return True


async def on_warn_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    """A typed answer: the area's name, the description, a phone number, a plate, a name.
    Her message is deleted once it is in the form; at a button step, she is reminded."""
    draft = draft_of(member)
    if draft is None:
        return False
    field = at.step.removeprefix("warn.ask_").removeprefix("warn.")
    mine = await networks.my_networks(context.work, member)
    if field not in TYPED:
        await context.say("warn.hint.buttons")
        await ask(context, member, draft, mine)
        return True
    if await _answer(context, member, draft, field, text, mine):
        await context.delete(message)
    return True


async def on_warn_pin(
    context: Context, member: Member, at: Conversation, shared: Location
) -> bool:
    """A pin while the form asks for the area: the nearest area of her network. Any other
    location (a live one, a pin at another question) goes with her check-in."""
    draft = draft_of(member)
    if shared.live_period or draft is None:
        return False
    if warn_form.next_field(draft) != "area" or not draft.get("network"):
        return False
    mine = await networks.my_networks(context.work, member)
    network = next((n for n in mine if n.network.id == draft["network"]), None)
    if network is None:
        return False
    answered = warn_form.answer_pin(draft, network.config, shared.latitude, shared.longitude)
    if isinstance(answered, Refused):
        await context.refuse(answered)
    await ask(context, member, draft if isinstance(answered, Refused) else answered, mine)
    return True


async def on_warn_other(context: Context, member: Member, at: Conversation) -> bool:
    """A photo, a sticker, a voice note in the middle of the form: nothing is lost."""
    draft = draft_of(member)
    if draft is None:
        return False
    await context.say("warn.hint.not_text")
    await ask(context, member, draft)
    return True


async def on_phone_card(
    context: Context, member: Member, at: Conversation, number: str, message: Message
) -> bool:
    """A contact card when the form asks for the phone: its number is the answer."""
    draft = draft_of(member)
    if draft is None:
        return False
    mine = await networks.my_networks(context.work, member)
    if await _answer(context, member, draft, "phone", number, mine):
        await context.delete(message)
    return True


async def on_stray_card(
    context: Context, member: Member, at: Conversation, number: str, message: Message
) -> bool:
    """A contact card at another question of the form: like a photo, the form goes on."""
    return await on_warn_other(context, member, at)


async def _send(context: Context, member: Member, draft: dict[str, str]) -> None:
    sent = await warnings.submit(context.work, member, draft)
    if isinstance(sent, Refused):
        await context.refuse(sent)
        return
    context.converse(None)
    await context.say(sent_message(sent), count=sent.recipients)
    if draft.get("record") == "1" and member.record_days:
        mine = await networks.my_networks(context.work, member)
        joined = next((n for n in mine if n.network.id == draft.get("network")), None)
        if joined is not None:
            today = context.work.clock.now().date()
            await private_record.keep_warning(
                context, member, warnings.draft_params(draft, joined, today)
            )


def sent_message(sent: Submitted) -> str:
    """Published after a few minutes, or waiting for a coordinator, and why."""
    if sent.published:
        return "warn.sent_published"
    return {"first": "warn.sent_first", "busy": "warn.sent_busy"}.get(
        sent.waits, "warn.sent_pending"
    )


def steps() -> dict[Step, StepHandlers]:
    """Every question of the form takes a typed answer, a pin (for the area), a contact card
    (for the phone) and anything else (the form goes on)."""
    form = StepHandlers(
        text=on_warn_text, location=on_warn_pin, contact=on_stray_card, other=on_warn_other
    )
    phone = StepHandlers(
        text=on_warn_text, location=on_warn_pin, contact=on_phone_card, other=on_warn_other
    )
    return {step: phone if step == Step.WARN_ASK_PHONE else form for step in WARN_FORM}


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(names("warn"), on_warn_command),
        CallbackQueryHandler(on_warn_button, pattern=r"^wf:"),
    ]
