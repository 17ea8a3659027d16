"""Trusted contacts: single-use invitations, acceptance, listing, removal and leaving."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.checkins import silent_alarm_running
from bot.core.context import Refused, Work
from bot.core.members import clean_alias
from bot.core.notifications import (
    ContactAccepted,
    ContactDeclined,
    ContactLeft,
    ContactRemoved,
    ContactUnreachable,
)
from bot.core.records import Contact, Invite, Member


@dataclass(frozen=True)
class InviteCreated:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class InviteView:
    invite_id: str
    worker_alias: str
    worker_address: str = ""  # her form of address, for the words about her


@dataclass(frozen=True)
class Accepted:
    worker_alias: str


@dataclass(frozen=True)
class AliasNeeded:
    """She must choose an alias first: the worker would not know who accepted."""


@dataclass(frozen=True)
class ContactsView:
    mine: list[tuple[Contact, str | None]]  # her contacts and the label she gave
    theirs: list[tuple[Contact, str]]  # the people she is a contact for, by alias


def new_token() -> str:
    """192 random bits, URL-safe, fits Telegram's 64-character start parameter."""
    return secrets.token_urlsafe(24)


async def create_invite(work: Work, worker: Member, label: str | None) -> InviteCreated | Refused:
    """A single-use link token for someone she trusts; only its hash is stored."""
    if label is not None:
        cleaned = clean_alias(label)
        if isinstance(cleaned, Refused):
            return Refused("invite.error.label", cleaned.params)
        label = cleaned
    if await work.contacts.count_of_worker(worker.id) >= work.limits.max_contacts:
        return Refused("invite.error.full", {"count": str(work.limits.max_contacts)})
    token = new_token()
    expires_at = work.clock.now() + timedelta(seconds=work.limits.invite_ttl_seconds)
    await work.invites.add(worker.id, token, label, expires_at)
    return InviteCreated(token, expires_at)


async def _usable_invite(
    work: Work, invite: Invite | None, visitor: Member
) -> tuple[Invite, Member] | Refused:
    if invite is None or invite.used_at is not None or invite.expires_at <= work.clock.now():
        return Refused("invite.error.invalid")
    if invite.worker_id == visitor.id:
        return Refused("invite.error.self")
    worker = await work.members.get(invite.worker_id)
    if worker is None:
        return Refused("invite.error.invalid")
    if await work.contacts.find(worker.id, visitor.id) is not None:
        return Refused("invite.error.already", {"alias": worker.alias or ""})
    if await work.contacts.count_of_worker(worker.id) >= work.limits.max_contacts:
        return Refused("invite.error.full", {"count": str(work.limits.max_contacts)})
    return invite, worker


async def open_invite(work: Work, token: str, visitor: Member) -> InviteView | Refused:
    """What a visitor sees when she opens an invitation link."""
    usable = await _usable_invite(work, await work.invites.find_by_token(token), visitor)
    if isinstance(usable, Refused):
        return usable
    invite, worker = usable
    return InviteView(invite.id, worker.alias or "", worker.address)


async def accept_invite(
    work: Work, invite_id: str, visitor: Member
) -> Accepted | Refused | AliasNeeded:
    """She becomes a trusted contact; the invitation is used up; the worker is told. With
    no name for her (no label on the invitation, no alias), she is asked for an alias first."""
    now = work.clock.now()
    usable = await _usable_invite(work, await work.invites.get(invite_id), visitor)
    if isinstance(usable, Refused):
        return usable
    invite, worker = usable
    if not invite.label and not visitor.alias:
        return AliasNeeded()
    await work.invites.mark_used(invite.id, now)
    label = invite.label or visitor.alias
    contact = await work.contacts.add(worker.id, visitor.id, label, now)
    await work.notify(ContactAccepted(worker.id, label or "", link_id=contact.id))
    return Accepted(worker.alias or "")


async def decline_invite(work: Work, invite_id: str, visitor: Member) -> Refused | None:
    """She says no: the link is used up and the worker is told, without any name."""
    usable = await _usable_invite(work, await work.invites.get(invite_id), visitor)
    if isinstance(usable, Refused):
        return usable
    invite, worker = usable
    await work.invites.mark_used(invite.id, work.clock.now())
    await work.notify(ContactDeclined(worker.id, invite.label or "", invite_id=invite.id))
    return None


async def list_contacts(work: Work, member: Member) -> ContactsView:
    mine = [(c, c.label) for c in await work.contacts.of_worker(member.id)]
    theirs = []
    for link in await work.contacts.of_contact(member.id):
        worker = await work.members.get(link.worker_id)
        theirs.append((link, worker.alias or "" if worker else ""))
    return ContactsView(mine, theirs)


async def remove_contact(work: Work, member: Member, contact_row_id: str) -> Contact | Refused:
    """The worker removes one of her contacts, who is told she is no longer linked."""
    contact = await work.contacts.get(contact_row_id)
    if contact is None or contact.worker_id != member.id:
        return Refused("contacts.error.gone")
    await work.contacts.remove(contact.id)
    await work.notify(ContactRemoved(contact.contact_id, member.alias or "", link_id=contact.id))
    return contact


async def leave(work: Work, member: Member, contact_row_id: str) -> str | Refused:
    """A contact steps down; the worker is told. Returns the worker's alias."""
    contact = await work.contacts.get(contact_row_id)
    if contact is None or contact.contact_id != member.id:
        return Refused("contacts.error.gone")
    worker = await work.members.get(contact.worker_id)
    await work.contacts.remove(contact.id)
    await work.notify(ContactLeft(contact.worker_id, contact.label or "", link_id=contact.id))
    return worker.alias or "" if worker else ""


async def member_unreachable(work: Work, member_id: str) -> int:
    """Telegram refuses to deliver to her (she blocked the bot or is gone): every worker who
    counts on her as a contact is told, once, and alerts skip her until she is back. A
    worker with a silent alarm on is not told now: her chat must not show that anything was
    sent; she reads it once the alarm is over, at her next check-in or /contacts
    (`unreachable_now`). Returns how many workers were told now."""
    told = 0
    now = work.clock.now()
    for contact in await work.contacts.of_contact(member_id):
        if not await work.contacts.mark_unreachable(contact.id, now):
            continue
        worker = await work.members.get(contact.worker_id)
        if worker is None or await silent_alarm_running(work, worker):
            continue
        told += 1
        await work.notify(
            ContactUnreachable(
                contact.worker_id, contact.label or "", link_id=contact.id, since=now
            ),
        )
    return told


async def unreachable_now(work: Work, member: Member) -> list[str | None]:
    """Her contacts Telegram does not deliver to (their labels), to be named in her chat;
    none while a silent alarm of hers is on, since only its alert can have found them."""
    unreachable = [c.label for c in await work.contacts.unreachable_of_worker(member.id)]
    if not unreachable or await silent_alarm_running(work, member):
        return []
    return unreachable
