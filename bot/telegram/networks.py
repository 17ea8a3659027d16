"""Peer networks in Telegram: joining (link, code, vouches), new-member links, the members
list for coordinators, the areas she follows, and /help: its commands, her networks' own
resources, then her country's (bot/telegram/resources.py)."""

from __future__ import annotations

from typing import Any

from telegram import Location, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core import areas, networks, warnings
from bot.core.context import Refused
from bot.core.networks import Candidate, Joined, PassCreated, Vouched, Welcome
from bot.core.records import Conversation, Member
from bot.i18n import day_and_time, t
from bot.telegram.commands import names
from bot.telegram.common import (
    Context,
    keyboard,
    number,
    pressed,
    stale,
)
from bot.telegram.resources import handlers as resources_handlers
from bot.telegram.resources import offer as offer_resources
from bot.telegram.steps import Step, StepHandlers

ASK_CODE = Conversation(Step.NETWORK_CODE)
ASK_AREA_PIN = Conversation(Step.AREAS_PIN)
MAX_PAGE = 10_000  # of the members list, in button data


def by_id(choices: list[Joined], network_id: str) -> Joined | None:
    """Her network of this id (from a button, where it travels as a token)."""
    return next((n for n in choices if n.network.id == network_id), None)


def is_network_code(start_parameter: str) -> bool:
    """A network link (`j_` and a code) rather than a contact invitation (a longer token that
    may start with "j_" by chance)."""
    return (
        start_parameter.lower().startswith("j_")
        and networks.clean_code(start_parameter) is not None
    )


async def on_join_command(update: Update, context: Context) -> None:
    """/join <code> (or /vouch <code>): join a network, or vouch for a newcomer."""
    member = context.member
    if member is None:
        return
    if context.args:
        await use_code(context, member, " ".join(context.args))
    else:
        context.converse(ASK_CODE)
        await context.say("network.ask_code")


async def use_code(context: Context, member: Member, text: str) -> None:
    """A code typed, or the end of a t.me link: the same way in."""
    code = networks.clean_code(text)
    outcome = (
        await networks.use_code(context.work, member, code)
        if code
        else Refused("network.error.code")
    )
    if member.conversation and member.conversation.step == Step.NETWORK_CODE:
        context.converse(None)
    if isinstance(outcome, Refused):
        await context.refuse(outcome)
    elif isinstance(outcome, Welcome):
        key = "network.joined_coordinator" if outcome.coordinator else "network.joined"
        await context.say(key, network=outcome.network_name)
        await show_areas(context, member)
    elif isinstance(outcome, Candidate):
        await context.say(
            "network.candidate",
            network=outcome.network_name,
            code=networks.show_code(outcome.code),
            count=outcome.needed - outcome.vouches,
        )
    elif isinstance(outcome, Vouched):
        key = "network.vouched_in" if outcome.vouches >= outcome.needed else "network.vouched"
        await context.say(
            key,
            network=outcome.network_name,
            count=max(0, outcome.needed - outcome.vouches),
        )


async def on_code_text(
    context: Context, member: Member, at: Conversation, text: str, message: Message
) -> bool:
    await use_code(context, member, text)
    return True


async def on_newmember_command(update: Update, context: Context) -> None:
    """/newmember: a single-use link and code for a new member (or, in a network with
    vouches, an invitation any member can give)."""
    member = context.member
    if member is None:
        return
    mine = await networks.my_networks(context.work, member)
    if not mine:
        await context.say("network.error.not_member")
    elif len(mine) == 1:
        await _new_pass(context, member, mine[0].network.id)
    else:
        rows = [[(n.network.name, f"nw:pass:{n.network.id}")] for n in mine]
        await context.say("network.choose", keyboard(rows))


async def _new_pass(context: Context, member: Member, network_id: str) -> None:
    created = await networks.new_member_pass(context.work, member, network_id)
    if isinstance(created, Refused):
        await context.refuse(created)
        return
    params = pass_params(context, member, created)
    await context.say(pass_message(created), None, False, **params)


def pass_message(created: PassCreated) -> str:
    return "network.pass.invite" if created.kind == networks.PASS_INVITE else "network.pass.member"


def pass_params(context: Context, member: Member, created: PassCreated) -> dict[str, Any]:
    return {
        "network": created.network_name,
        "link": f"https://t.me/{context.bot.username}?start=j_{created.code}",
        "code": networks.show_code(created.code),
        "until": day_and_time(created.expires_at, member.language, member.timezone),
        "count": created.vouches,
    }


async def on_network_command(update: Update, context: Context) -> None:
    """/network: her networks; coordinators get the members list and a new-member link."""
    member = context.member
    if member is None:
        return
    mine = await networks.my_networks(context.work, member)
    if not mine:
        await context.say("network.none")
        return
    lang = member.language
    for joined in mine:
        rows = []
        if joined.is_coordinator:
            rows.append([(t(lang, "button.members"), f"nw:list:{joined.network.id}:0")])
            rows.append([(t(lang, "button.pending"), "nw:pending")])
        if joined.is_coordinator or joined.config.vouches:
            rows.append([(t(lang, "button.new_member"), f"nw:pass:{joined.network.id}")])
        rows.append([(t(lang, "button.areas"), "nw:areas")])
        rows.append([(t(lang, "button.leave_network"), f"nw:leave:{joined.network.id}")])
        key = "network.about_coordinator" if joined.is_coordinator else "network.about"
        await context.say(key, keyboard(rows), network=joined.network.name)


async def on_remove_command(update: Update, context: Context) -> None:
    """/remove: the members list of the first network she coordinates."""
    member = context.member
    if member is None:
        return
    mine = [n for n in await networks.my_networks(context.work, member) if n.is_coordinator]
    if not mine:
        await context.say("network.error.not_coordinator")
    else:
        await show_members(context, member, mine[0].network.id, 0)


async def show_members(context: Context, member: Member, network_id: str, page: int) -> None:
    listed = await networks.members_page(context.work, member, network_id, page)
    if isinstance(listed, Refused):
        await context.refuse(listed)
        return
    lang = member.language
    rows = []
    for membership, alias in listed.entries:
        name = alias or t(lang, "contact.unnamed")
        star = "⭐ " if membership.trusted else ""
        rows.append(
            [
                (star + name, f"nw:tr:{membership.id}:{listed.page}"),
                (t(lang, "button.remove"), f"nw:rm:{membership.id}"),
            ]
        )
    nav = []
    if listed.page > 0:
        nav.append(("◀", f"nw:list:{network_id}:{listed.page - 1}"))
    if listed.page + 1 < listed.pages:
        nav.append(("▶", f"nw:list:{network_id}:{listed.page + 1}"))
    if nav:
        rows.append(nav)
    await context.say(
        "network.members",
        keyboard(rows),
        network=listed.network.network.name,
        page=listed.page + 1,
        pages=listed.pages,
    )


async def on_network_button(update: Update, context: Context) -> None:
    """Buttons of /network and the members list."""
    member, parts = pressed(update, context, "nw")
    if not parts:
        return
    core = context.work
    action, rest = parts[0], parts[1:]
    if action == "areas":
        await show_areas(context, member)
    elif action == "pending":
        from bot.telegram.warnings import show_next_to_review

        await show_next_to_review(context, member)
    elif action in ("pass", "list", "leave") and rest:
        joined = by_id(await networks.my_networks(core, member), rest[0])
        if joined is None:
            await context.say("network.error.not_member")
        elif action == "pass":
            await _new_pass(context, member, joined.network.id)
        elif action == "list":
            page = (number(rest[1], MAX_PAGE) if len(rest) > 1 else None) or 0
            await show_members(context, member, joined.network.id, page)
        else:
            rows = [[(t(member.language, "button.leave_confirm"), f"nw:bye:{rest[0]}")]]
            await context.say(
                "network.leave_confirm",
                keyboard(rows),
                network=joined.network.name,
            )
    elif action == "bye" and rest:
        joined = by_id(await networks.my_networks(core, member), rest[0])
        left = (
            await networks.leave_network(core, member, joined.network.id)
            if joined
            else Refused("network.error.not_member")
        )
        await context.refuse(left) if isinstance(left, Refused) else await context.say(
            "network.left", network=left
        )
    elif action == "tr" and len(rest) == 2:
        await _toggle_trust(context, member, rest[0], rest[1])
    elif action == "rm" and rest:
        rows = [[(t(member.language, "button.remove_confirm"), f"nw:rmok:{rest[0]}")]]
        await context.say("network.remove_confirm", keyboard(rows))
    elif action == "rmok" and rest:
        removed = await networks.remove_member(core, member, rest[0])
        if isinstance(removed, Refused):
            await context.refuse(removed)
        else:
            await context.say("network.removed_ok", alias=removed or "—")
    else:
        stale(context)


async def _toggle_trust(context: Context, member: Member, membership_id: str, page: str) -> None:
    changed = await networks.toggle_trusted(context.work, member, membership_id)
    if isinstance(changed, Refused):
        await context.refuse(changed)
        return
    await context.say("network.trusted" if changed.trusted else "network.untrusted")
    await show_members(context, member, changed.network_id, number(page, MAX_PAGE) or 0)


async def on_areas_command(update: Update, context: Context) -> None:
    """/areas: buttons to follow or stop following each area of her networks, or a pin."""
    member = context.member
    if member is not None:
        await show_areas(context, member)


async def show_areas(context: Context, member: Member) -> None:
    choices = await areas.area_choices(context.work, member)
    if not choices:
        await context.say("network.none")
        return
    for choice in choices:
        rows = [
            [
                (
                    ("✅ " if following else "◻️ ") + area.name,
                    f"ar:{choice.network.network.id}:{area.id}",
                )
            ]
            for area, following in choice.areas
        ]
        await context.say("areas.choose", keyboard(rows), network=choice.network.network.name)
    context.converse(ASK_AREA_PIN)
    await context.say("areas.or_pin")


async def on_area_button(update: Update, context: Context) -> None:
    member, parts = pressed(update, context, "ar")
    if len(parts) != 2:
        if parts:  # not answered yet
            stale(context)
        return
    core = context.work
    joined = by_id(await networks.my_networks(core, member), parts[0])
    if joined is None:
        await context.say("network.error.not_member")
        return
    following = await areas.toggle_area(core, member, joined.network.id, parts[1])
    if isinstance(following, Refused):
        await context.refuse(following)
        return
    area = joined.config.area(parts[1])
    key = "areas.following" if following else "areas.not_following"
    await context.say(key, area=area.name if area else "")


async def on_area_pin(
    context: Context, member: Member, at: Conversation, shared: Location
) -> bool:
    """A pin while choosing areas: the nearest area of each network; the point is not kept.
    A live location is not a choice: it goes with her check-in."""
    if shared.live_period:
        return False
    followed = await areas.follow_nearest(context.work, member, shared.latitude, shared.longitude)
    context.converse(None)
    if not followed:
        await context.say("areas.pin_none")
        return True
    names = "\n".join(f"• {area.name} ({network})" for network, area in followed)
    await context.say("areas.pin_followed", areas=names)
    return True


async def on_help_command(update: Update, context: Context) -> None:
    """/help in at most ten lines: the network's commands only for members, the
    coordinators' only for coordinators; then the local resources of her networks, and
    last her country's, for everyone, behind buttons."""
    member = context.member
    if member is None:
        return
    lang, hers = member.language, await networks.my_networks(context.work, member)
    in_network = "\n" + t(lang, "help.network") if hers else ""
    coordinates = any(joined.is_coordinator for joined in hers)
    await context.say(
        "help.text",
        network=in_network,
        coordinator="\n" + t(lang, "help.coordinator") if coordinates else "",
    )
    for network, config in await warnings.resources(context.work, member):
        if not config.resources:
            continue
        lines = []
        for resource in config.resources:
            line = f"• {resource.name}: {resource.offers}\n  {resource.contact}"
            if resource.hours:
                line += f" · {resource.hours}"
            lines.append(line)
        await context.say("help.resources", network=network, resources="\n".join(lines))
    await offer_resources(context, member)


def steps() -> dict[Step, StepHandlers]:
    return {
        Step.NETWORK_CODE: StepHandlers(text=on_code_text),
        Step.AREAS_PIN: StepHandlers(location=on_area_pin),
    }


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler(names("join"), on_join_command),
        CommandHandler(names("newmember"), on_newmember_command),
        CommandHandler(names("network"), on_network_command),
        CommandHandler(names("remove"), on_remove_command),
        CommandHandler(names("areas"), on_areas_command),
        CommandHandler(names("help"), on_help_command),
        CallbackQueryHandler(on_network_button, pattern=r"^nw:"),
        CallbackQueryHandler(on_area_button, pattern=r"^ar:"),
        *resources_handlers(),
    ]
