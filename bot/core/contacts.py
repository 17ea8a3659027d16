"""Trusted contacts: single-use invitations, acceptance, listing, removal and leaving."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.checkins import silent_alarm_running
from bot.core.context import Refused, Work
from bot.core.members import clean_alias
from bot.core.notifications import (
    ContactConfirmed,
    ContactDeclined,
    ContactLeft,
    ContactNotConfirmed,
    ContactRemoved,
    ContactToConfirm,
    ContactUnreachable,
    InviteLinkUsed,
    reply_key,
)
from bot.core.records import Contact, Invite, Member


@dataclass(frozen=True)
class InviteCreated:
    token: str
    expires_at: datetime
    link_nonce: str  # the nonce of the reply that carries the link (see `link_message`)


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


def new_confirm_token() -> str:
    """128 random bits for her "Sí"/"No" buttons: they name no row; only a hash is kept."""
    return secrets.token_urlsafe(16)


def link_message(invite_id: str) -> str:
    """The nonce of the reply with her invitation link: the message is found again by it
    and edited once the link is used."""
    return f"invite-link:{invite_id}"


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
    invite = await work.invites.add(worker.id, token, label, expires_at)
    return InviteCreated(token, expires_at, link_message(invite.id))


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
    if await work.contacts.pending_exists(worker.id, visitor.id):
        return Refused("invite.error.waiting", {"alias": worker.alias or ""})
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
    """The invitation is used up and the link waits for the worker: she is shown this
    account's own alias and asked whether it is her contact; until she says yes it gets
    nothing of hers. Without an alias, the visitor is asked for one first: a link may have
    reached someone else, and his own name is what gives him away."""
    now = work.clock.now()
    usable = await _usable_invite(work, await work.invites.get(invite_id), visitor)
    if isinstance(usable, Refused):
        return usable
    invite, worker = usable
    if not visitor.alias:
        return AliasNeeded()
    await work.invites.mark_used(invite.id, now)
    token = new_confirm_token()
    label = invite.label or visitor.alias
    pending = await work.contacts.add_pending(worker.id, visitor.id, label, token, now)
    await work.notify(
        ContactToConfirm(
            worker.id, invite.label or "", visitor.alias, token=token, link_id=pending.id
        )
    )
    await _link_used(work, worker.id, invite.id)
    return Accepted(worker.alias or "")


async def _link_used(work: Work, worker_id: str, invite_id: str) -> None:
    """Her message with the link says it was used (once it was sent: else it is left)."""
    message_id = await work.outbox.message_id_of(reply_key(link_message(invite_id)))
    if message_id is not None:
        await work.notify(InviteLinkUsed(worker_id, message_id, invite_id=invite_id))


@dataclass(frozen=True)
class Confirmed:
    label: str | None  # her name for the contact


async def confirm_contact(work: Work, worker: Member, token: str) -> Confirmed | Refused:
    """She says the account that accepted her link is her contact: it becomes one, and is
    told so."""
    pending = await work.contacts.pending_by_token(worker.id, token)
    if pending is None:
        return Refused("contacts.confirm.gone")
    if await work.contacts.count_of_worker(worker.id) >= work.limits.max_contacts:
        return Refused("invite.error.full", {"count": str(work.limits.max_contacts)})
    await work.contacts.confirm(pending.id, work.clock.now())
    await work.notify(ContactConfirmed(pending.contact_id, worker.alias or "", link_id=pending.id))
    return Confirmed(pending.label)


async def reject_contact(work: Work, worker: Member, token: str) -> Refused | None:
    """She says it is not her contact: the link goes, and the account is told only that the
    invitation was not confirmed."""
    pending = await work.contacts.pending_by_token(worker.id, token)
    if pending is None:
        return Refused("contacts.confirm.gone")
    await work.contacts.remove(pending.id)
    await work.notify(ContactNotConfirmed(pending.contact_id, link_id=pending.id))
    return None


async def expire_pending(work: Work, now: datetime) -> int:
    """Links she never confirmed go with the invitation retention (INVITE_TTL_SECONDS after
    they were accepted); the account is told it was not confirmed. Returns how many."""
    before = now - timedelta(seconds=work.limits.invite_ttl_seconds)
    expired = await work.contacts.pending_before(before)
    for pending in expired:
        await work.contacts.remove(pending.id)
        await work.notify(ContactNotConfirmed(pending.contact_id, link_id=pending.id))
    return len(expired)


async def decline_invite(work: Work, invite_id: str, visitor: Member) -> Refused | None:
    """She says no: the link is used up and the worker is told, without any name."""
    usable = await _usable_invite(work, await work.invites.get(invite_id), visitor)
    if isinstance(usable, Refused):
        return usable
    invite, worker = usable
    await work.invites.mark_used(invite.id, work.clock.now())
    await work.notify(ContactDeclined(worker.id, invite.label or "", invite_id=invite.id))
    await _link_used(work, worker.id, invite.id)
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
