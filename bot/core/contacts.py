"""Trusted contacts: single-use invitations, acceptance, listing, removal and leaving."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.context import Core, Refused, notify
from bot.core.members import clean_alias
from bot.core.notifications import Notification, Priority
from storage.database import UnitOfWork
from storage.records import Contact, Invite, Member


@dataclass(frozen=True)
class InviteCreated:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class InviteView:
    invite_id: str
    worker_alias: str


@dataclass(frozen=True)
class Accepted:
    worker_alias: str


@dataclass(frozen=True)
class ContactsView:
    mine: list[tuple[Contact, str | None]]  # her contacts and the label she gave
    theirs: list[tuple[Contact, str]]  # the people she is a contact for, by alias


def new_token() -> str:
    """192 random bits, URL-safe, fits Telegram's 64-character start parameter."""
    return secrets.token_urlsafe(24)


async def create_invite(core: Core, worker: Member, label: str | None) -> InviteCreated | Refused:
    """A single-use link token for someone she trusts; only its hash is stored."""
    if label is not None:
        cleaned = clean_alias(label)
        if isinstance(cleaned, Refused):
            return Refused("invite.error.label", cleaned.params)
        label = cleaned
    async with core.unit() as uow:
        if await uow.contacts.count_of_worker(worker.id) >= core.limits.max_contacts:
            return Refused("invite.error.full", {"max": str(core.limits.max_contacts)})
        token = new_token()
        expires_at = core.clock.now() + timedelta(seconds=core.limits.invite_ttl_seconds)
        await uow.invites.add(worker.id, token, label, expires_at)
    return InviteCreated(token, expires_at)


async def _usable_invite(
    uow: UnitOfWork, core: Core, invite: Invite | None, visitor: Member
) -> tuple[Invite, Member] | Refused:
    if invite is None or invite.used_at is not None or invite.expires_at <= core.clock.now():
        return Refused("invite.error.invalid")
    if invite.worker_id == visitor.id:
        return Refused("invite.error.self")
    worker = await uow.members.get(invite.worker_id)
    if worker is None:
        return Refused("invite.error.invalid")
    if await uow.contacts.find(worker.id, visitor.id) is not None:
        return Refused("invite.error.already", {"alias": worker.alias or ""})
    if await uow.contacts.count_of_worker(worker.id) >= core.limits.max_contacts:
        return Refused("invite.error.full", {"max": str(core.limits.max_contacts)})
    return invite, worker


async def open_invite(core: Core, token: str, visitor: Member) -> InviteView | Refused:
    """What a visitor sees when she opens an invitation link."""
    async with core.unit() as uow:
        usable = await _usable_invite(uow, core, await uow.invites.find_by_token(token), visitor)
    if isinstance(usable, Refused):
        return usable
    invite, worker = usable
    return InviteView(invite.id, worker.alias or "")


async def accept_invite(core: Core, invite_id: str, visitor: Member) -> Accepted | Refused:
    """She becomes a trusted contact; the invitation is used up; the worker is told."""
    now = core.clock.now()
    async with core.unit() as uow:
        usable = await _usable_invite(uow, core, await uow.invites.get(invite_id), visitor)
        if isinstance(usable, Refused):
            return usable
        invite, worker = usable
        await uow.invites.mark_used(invite.id, now)
        label = invite.label or visitor.alias
        contact = await uow.contacts.add(worker.id, visitor.id, label, now)
        await notify(
            uow,
            core,
            Notification(
                worker.id,
                "contacts.accepted",
                Priority.INTERACTIVE,
                f"ct:{contact.id}:accepted",
                {"label": label or ""},
            ),
        )
    return Accepted(worker.alias or "")


async def decline_invite(core: Core, invite_id: str, visitor: Member) -> Refused | None:
    """She says no: the link is used up and the worker is told, without any name."""
    async with core.unit() as uow:
        usable = await _usable_invite(uow, core, await uow.invites.get(invite_id), visitor)
        if isinstance(usable, Refused):
            return usable
        invite, worker = usable
        await uow.invites.mark_used(invite.id, core.clock.now())
        await notify(
            uow,
            core,
            Notification(
                worker.id,
                "contacts.declined",
                Priority.INTERACTIVE,
                f"iv:{invite.id}:declined",
                {"label": invite.label or ""},
            ),
        )
    return None


async def list_contacts(core: Core, member: Member) -> ContactsView:
    async with core.unit() as uow:
        mine = [(c, c.label) for c in await uow.contacts.of_worker(member.id)]
        theirs = []
        for link in await uow.contacts.of_contact(member.id):
            worker = await uow.members.get(link.worker_id)
            theirs.append((link, worker.alias or "" if worker else ""))
    return ContactsView(mine, theirs)


async def remove_contact(core: Core, member: Member, contact_row_id: str) -> Contact | Refused:
    """The worker removes one of her contacts, who is told she is no longer linked."""
    async with core.unit() as uow:
        contact = await uow.contacts.get(contact_row_id)
        if contact is None or contact.worker_id != member.id:
            return Refused("contacts.error.gone")
        await uow.contacts.remove(contact.id)
        await notify(
            uow,
            core,
            Notification(
                contact.contact_id,
                "contacts.removed",
                Priority.INTERACTIVE,
                f"ct:{contact.id}:removed",
                {"alias": member.alias or ""},
            ),
        )
    return contact


async def leave(core: Core, member: Member, contact_row_id: str) -> str | Refused:
    """A contact steps down; the worker is told. Returns the worker's alias."""
    async with core.unit() as uow:
        contact = await uow.contacts.get(contact_row_id)
        if contact is None or contact.contact_id != member.id:
            return Refused("contacts.error.gone")
        worker = await uow.members.get(contact.worker_id)
        await uow.contacts.remove(contact.id)
        await notify(
            uow,
            core,
            Notification(
                contact.worker_id,
                "contacts.left",
                Priority.INTERACTIVE,
                f"ct:{contact.id}:left",
                {"label": contact.label or ""},
            ),
        )
    return worker.alias or "" if worker else ""


async def member_unreachable(core: Core, member_id: str) -> int:
    """Telegram refuses to deliver to her (she blocked the bot or is gone): every worker who
    counts on her as a contact is told, once, and alerts skip her until she is back.
    Returns how many workers were told."""
    told = 0
    async with core.unit() as uow:
        now = core.clock.now()
        for contact in await uow.contacts.of_contact(member_id):
            if not await uow.contacts.mark_unreachable(contact.id, now):
                continue
            told += 1
            await notify(
                uow,
                core,
                Notification(
                    contact.worker_id,
                    "contacts.unreachable",
                    Priority.REMINDER,
                    f"ct:{contact.id}:unreachable:{now.isoformat()}",
                    {"label": contact.label or ""},
                ),
            )
    return told
