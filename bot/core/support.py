"""Accompaniment (/apoyo, /support): a member asks her network for accompaniment after
violence, a robbery, a detention or a health emergency. Her case waits for the network's
coordinators who chose to be its support (/casos); one takes it, and they write to each other
through the bot: she sees the role and the network ("Acompañamiento — Red Mixco"), never who;
the coordinator sees her alias, never her Telegram account. Either closes it; a closed case is
deleted after the network's `support.retention_days`; she can delete hers at once. A case
nobody answered is reminded after `support.remind_after_hours` (the hourly sweep)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.core.context import Refused, Work
from bot.core.network_config import ConfigInvalid, SupportSettings, config_from_json
from bot.core.notifications.support import (
    CaseEnded,
    CaseNew,
    CaseRelayed,
    CaseReminder,
    CaseTaken,
)
from bot.core.records import (
    CaseMessage,
    CaseStatus,
    Member,
    MembershipStatus,
    Role,
    SupportCase,
)

KINDS = ("legal", "health", "violence", "other")
MAX_TEXT = 2000
MOST_MESSAGES = 100  # a case keeps its newest messages
MOST_OPEN = 3  # cases not closed, per member and network
BATCH = 100
MEMBER, SUPPORT = "member", "support"
OPEN, TAKEN, CLOSED = CaseStatus.OPEN, CaseStatus.TAKEN, CaseStatus.CLOSED
GONE = Refused("support.error.gone")


@dataclass(frozen=True)
class CaseView:
    """A case as one side sees it: the network's name and, for support, her alias."""

    case: SupportCase
    network: str
    alias: str
    address: str


def clean_text(text: str) -> str | Refused:
    cleaned = text.strip()
    if not cleaned:
        return Refused("support.error.empty")
    if len(cleaned) > MAX_TEXT:
        return Refused("support.error.long", {"max": str(MAX_TEXT)})
    return cleaned


async def settings_of(work: Work, network_id: str) -> SupportSettings:
    network = await work.networks.get(network_id)
    try:
        return config_from_json(network.config).support if network else SupportSettings()
    except ConfigInvalid:
        return SupportSettings()


async def is_support(work: Work, member: Member, network_id: str) -> bool:
    """She coordinates the network and chose to take its support cases."""
    if not member.support:
        return False
    membership = await work.networks.membership(network_id, member.id)
    return (
        membership is not None
        and membership.role == Role.COORDINATOR
        and membership.status == MembershipStatus.ACTIVE
    )


async def support_of(work: Work, network_id: str) -> list[Member]:
    """The network's coordinators who take its support cases."""
    found = []
    for coordinator in await work.networks.coordinators_of(network_id):
        member = await work.members.get(coordinator.member_id)
        if member is not None and member.support:
            found.append(member)
    return found


async def set_role(work: Work, member: Member, on: bool) -> Member:
    """A coordinator's choice to take her networks' support cases (sealed with her
    settings). Whether she coordinates a network is checked by the caller."""
    changed = replace(member, support=on)
    await work.members.save(changed)
    return changed


async def open_case(
    work: Work, member: Member, network_id: str, kind: str, text: str
) -> int | Refused:
    """Her case goes to the network's support coordinators; returns how many were told."""
    if kind not in KINDS:
        return Refused("support.error.kind")
    cleaned = clean_text(text)
    if isinstance(cleaned, Refused):
        return cleaned
    membership = await work.networks.membership(network_id, member.id)
    network = await work.networks.get(network_id)
    if membership is None or membership.status != MembershipStatus.ACTIVE or network is None:
        return Refused("network.error.not_member")
    mine = [c for c in await work.support.of_member(member.id) if c.network_id == network_id]
    if sum(c.status != CLOSED for c in mine) >= MOST_OPEN:
        return Refused("support.error.too_many", {"count": str(MOST_OPEN)})
    now = work.clock.now()
    hours = (await settings_of(work, network_id)).remind_after_hours
    case = await work.support.add(
        network_id, member.id, kind, cleaned, now, now + timedelta(hours=hours)
    )
    told = 0
    for coordinator in await support_of(work, network_id):
        if coordinator.id != member.id:
            told += await work.notify(
                CaseNew(
                    coordinator.id,
                    network.name,
                    kind,
                    member.alias or "",
                    str(member.address),
                    case.id,
                )
            )
    return told


async def cases_of(work: Work, member: Member) -> list[CaseView]:
    """Her own cases, closed ones too (until they are deleted)."""
    return [await _view(work, case) for case in await work.support.of_member(member.id)]


async def queue(work: Work, coordinator: Member) -> list[CaseView]:
    """The cases a support coordinator may see: waiting ones of her networks, and hers."""
    networks = [
        m.network_id
        for m in await work.networks.memberships_of(coordinator.id)
        if m.role == Role.COORDINATOR and m.status == MembershipStatus.ACTIVE
    ]
    if not coordinator.support or not networks:
        return []
    return [
        await _view(work, case)
        for case in await work.support.of_networks(networks)
        if case.status == OPEN or case.coordinator_id == coordinator.id
    ]


async def take(work: Work, coordinator: Member, case_id: str) -> CaseView | Refused:
    """She takes a waiting case (or opens hers again): its thread, and she is told."""
    case = await work.support.get(case_id)
    if case is None or not await is_support(work, coordinator, case.network_id):
        return GONE
    if case.status == CLOSED:
        return GONE
    if case.status == TAKEN and case.coordinator_id != coordinator.id:
        return Refused("support.error.taken")
    if case.status == OPEN:
        case = replace(case, status=TAKEN, coordinator_id=coordinator.id, remind_at=None)
        await work.support.save(case)
        view = await _view(work, case)
        await work.notify(
            CaseTaken(case.member_id, view.network, case.id, taker_id=coordinator.id)
        )
        return view
    return await _view(work, case)


async def write(work: Work, writer: Member, case_id: str, text: str) -> CaseView | Refused:
    """A message of hers or of the coordinator who took the case, relayed to the other."""
    case = await work.support.get(case_id)
    if case is None:
        return GONE
    cleaned = clean_text(text)
    if isinstance(cleaned, Refused):
        return cleaned
    now = work.clock.now()
    if writer.id == case.member_id:
        if case.status == CLOSED:
            return Refused("support.error.closed")
        case = await _held(work, case)
        remind_at = case.remind_at
        if remind_at is None:
            hours = (await settings_of(work, case.network_id)).remind_after_hours
            remind_at = now + timedelta(hours=hours)
        case = _append(case, MEMBER, cleaned, now, remind_at=remind_at)
    elif case.coordinator_id == writer.id and await is_support(work, writer, case.network_id):
        if case.status != TAKEN:
            return Refused("support.error.closed")
        case = _append(case, SUPPORT, cleaned, now, remind_at=None)
    else:
        return GONE
    await work.support.save(case)
    view = await _view(work, case)
    to_support = writer.id == case.member_id
    recipient = case.coordinator_id if to_support else case.member_id
    if recipient is not None and case.status == TAKEN:
        await work.notify(
            CaseRelayed(
                recipient,
                view.network,
                cleaned,
                to_support,
                view.alias if to_support else "",
                case.id,
                number=secrets.randbits(48),
            )
        )
    return view


async def close(work: Work, who: Member, case_id: str) -> CaseView | Refused:
    """She or the coordinator who took it closes the case: kept for the network's
    retention, then deleted; the other side is told."""
    case = await work.support.get(case_id)
    if case is None:
        return GONE
    by_her = who.id == case.member_id
    if not by_her and not (
        case.coordinator_id == who.id and await is_support(work, who, case.network_id)
    ):
        return GONE
    if case.status == CLOSED:
        return Refused("support.error.closed")
    days = (await settings_of(work, case.network_id)).retention_days
    expires_at = work.clock.now() + timedelta(days=days)
    taken = case.status == TAKEN
    case = replace(case, status=CLOSED, remind_at=None, expires_at=expires_at)
    await work.support.save(case)
    view = await _view(work, case)
    other = case.coordinator_id if by_her else case.member_id
    if taken and other is not None:
        await work.notify(
            CaseEnded(other, view.network, "closed", by_her, view.alias, case_id=case.id)
        )
    return view


async def delete_now(work: Work, member: Member, case_id: str) -> bool | Refused:
    """She deletes her case at once, open or closed; the coordinator who has it is told."""
    case = await work.support.get(case_id)
    if case is None or case.member_id != member.id:
        return GONE
    await _delete(work, case)
    return True


async def _delete(work: Work, case: SupportCase) -> None:
    if case.status == TAKEN and case.coordinator_id is not None:
        view = await _view(work, case)
        await work.notify(
            CaseEnded(
                case.coordinator_id, view.network, "deleted", True, view.alias, case_id=case.id
            )
        )
    await work.support.delete(case.id)


async def forget(work: Work, member_id: str) -> None:
    """/forget: her cases go at once; cases she took as support go back to the queue (their
    member is told, the other support coordinators are reminded at the next sweep)."""
    for case in await work.support.of_member(member_id):
        await _delete(work, case)
    now = work.clock.now()
    for case in await work.support.taken_by(member_id):
        if case.status != TAKEN:
            await work.support.save(replace(case, coordinator_id=None))
            continue
        requeued = replace(case, status=OPEN, coordinator_id=None, remind_at=now)
        await work.support.save(requeued)
        view = await _view(work, requeued)
        await work.notify(
            CaseEnded(case.member_id, view.network, "requeued", False, "", case_id=case.id)
        )


async def remind(work: Work, now: datetime) -> int:
    """Cases nobody answered for the network's delay: a reminder to whoever has it, else to
    every support coordinator of the network; once per silence."""
    told = 0
    for case in await work.support.due_reminders(now, BATCH):
        case = await _held(work, case)
        view = await _view(work, case)
        recipients: list[str] = []
        if case.status == TAKEN and case.coordinator_id is not None:
            recipients = [case.coordinator_id]
        elif case.status == OPEN:
            recipients = [m.id for m in await support_of(work, case.network_id)]
        version = int(case.remind_at.timestamp()) if case.remind_at else 0
        for recipient in recipients:
            if recipient != case.member_id:
                told += await work.notify(
                    CaseReminder(
                        recipient,
                        view.network,
                        case.kind,
                        view.alias,
                        view.address,
                        int((now - case.created_at).total_seconds() // 60),
                        case.id,
                        taken=case.status == TAKEN,
                        version=version,
                    )
                )
        await work.support.save(replace(case, remind_at=None))
    return told


async def _held(work: Work, case: SupportCase) -> SupportCase:
    """The case, back in the queue if whoever took it no longer gives support there (she
    left the network, was removed, or stopped giving support): nothing more reaches her."""
    if case.status != TAKEN or case.coordinator_id is None:
        return case
    holder = await work.members.get(case.coordinator_id)
    if holder is not None and await is_support(work, holder, case.network_id):
        return case
    requeued = replace(case, status=OPEN, coordinator_id=None)
    await work.support.save(requeued)
    view = await _view(work, requeued)
    await work.notify(
        CaseEnded(case.member_id, view.network, "requeued", False, "", case_id=case.id)
    )
    return requeued


async def purge(work: Work, now: datetime) -> int:
    """Closed cases past their network's retention."""
    return await work.support.purge(now)


def _append(
    case: SupportCase, by: str, text: str, now: datetime, remind_at: datetime | None
) -> SupportCase:
    messages = (*case.messages, CaseMessage(by, text, now))[-MOST_MESSAGES:]
    return replace(case, messages=messages, remind_at=remind_at)


async def _view(work: Work, case: SupportCase) -> CaseView:
    network = await work.networks.get(case.network_id)
    member = await work.members.get(case.member_id)
    return CaseView(
        case,
        network.name if network else "",
        (member.alias or "") if member else "",
        str(member.address) if member else "neutral",
    )
