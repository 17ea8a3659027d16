"""Peer networks run by organisations: creating one, the ways in (a coordinator's link, a
member's link or code, vouches), removing and trusting members. The areas each member
follows are in areas.py."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.context import Refused, Work
from bot.core.network_config import NetworkConfig, config_from_json, config_to_json
from bot.core.notifications import NetworkPassUsed, NetworkRemoved, NetworkWelcome, Priority
from bot.core.records import Member, Membership, MembershipStatus, Network, PassKind, Role

MEMBER, COORDINATOR = Role.MEMBER, Role.COORDINATOR
ACTIVE, CANDIDATE = MembershipStatus.ACTIVE, MembershipStatus.CANDIDATE
# Kinds of pass: a coordinator's link (from the command line), a member's link or code (from
# a coordinator), an invitation that waits for vouches (from a member), a candidate's code.
PASS_COORDINATOR, PASS_MEMBER = PassKind.COORDINATOR, PassKind.MEMBER
PASS_INVITE, PASS_VOUCH = PassKind.INVITE, PassKind.VOUCH
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed
CODE_LENGTH = 10  # 50 bits, single use, expiring
MAX_NAME = 60
PAGE = 8


@dataclass(frozen=True)
class Joined:
    """One of her networks, as she sees it."""

    membership: Membership
    network: Network
    config: NetworkConfig

    @property
    def is_coordinator(self) -> bool:
        return self.membership.role == COORDINATOR


@dataclass(frozen=True)
class PassCreated:
    code: str
    kind: str
    expires_at: datetime
    network_name: str
    vouches: int


@dataclass(frozen=True)
class Welcome:
    """She is in: the network's name and whether she coordinates it."""

    network_name: str
    coordinator: bool


@dataclass(frozen=True)
class Candidate:
    """She waits for vouches: the code she gives to members who know her."""

    network_name: str
    code: str
    vouches: int
    needed: int


@dataclass(frozen=True)
class Vouched:
    network_name: str
    vouches: int
    needed: int


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def clean_code(text: str) -> str | None:
    """A code as typed or as the end of a link: case, spaces and dashes do not matter."""
    raw = text.strip()
    if raw.lower().startswith("j_"):
        raw = raw[2:]
    code = "".join(ch for ch in raw.upper() if ch not in " -_")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def show_code(code: str) -> str:
    """ABCDE-FGHJK: easier to read aloud and to copy."""
    return f"{code[:5]}-{code[5:]}"


def clean_name(name: str) -> str | Refused:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_NAME:
        return Refused("network.error.name", {"max": str(MAX_NAME)})
    return cleaned


async def create_network(work: Work, name: str, config: NetworkConfig) -> PassCreated | Refused:
    """A new network and a single-use link for its first coordinator."""
    cleaned = clean_name(name)
    if isinstance(cleaned, Refused):
        return cleaned
    if await work.networks.find_by_name(cleaned) is not None:
        return Refused("network.error.exists")
    network = await work.networks.add(cleaned, config_to_json(config), work.clock.now())
    return await _new_pass(work, network, PASS_COORDINATOR, None, config.vouches)


async def update_network(work: Work, name: str, config: NetworkConfig) -> Network | Refused:
    """New areas, rules or resources; area ids that stay keep their followers."""
    network = await work.networks.find_by_name(name)
    if network is None:
        return Refused("network.error.unknown")
    await work.networks.set_config(network.id, config_to_json(config))
    return network


async def coordinator_pass(work: Work, name: str) -> PassCreated | Refused:
    """Another coordinator's link, made by the operator (a coordinator lost hers)."""
    network = await work.networks.find_by_name(name)
    if network is None:
        return Refused("network.error.unknown")
    vouches = config_from_json(network.config).vouches
    return await _new_pass(work, network, PASS_COORDINATOR, None, vouches)


async def overview(work: Work) -> list[tuple[str, int, int]]:
    """Each network's name, members and areas: for the operator."""
    return [
        (
            network.name,
            await work.networks.count_members(network.id),
            len(config_from_json(network.config).areas),
        )
        for network in await work.networks.all()
    ]


async def _new_pass(
    work: Work,
    network: Network,
    kind: str,
    issuer: Membership | None,
    vouches: int,
    candidate_id: str | None = None,
) -> PassCreated:
    code = new_code()
    expires_at = work.clock.now() + timedelta(seconds=work.limits.network_pass_ttl_seconds)
    await work.networks.add_pass(
        network.id, code, kind, expires_at, issuer.id if issuer else None, candidate_id
    )
    return PassCreated(code, kind, expires_at, network.name, vouches)


async def joined(work: Work, member_id: str) -> list[Joined]:
    """Her active networks, in the order she joined them."""
    found = []
    for membership in await work.networks.memberships_of(member_id):
        network = await work.networks.get(membership.network_id)
        if network is not None:
            found.append(Joined(membership, network, config_from_json(network.config)))
    return found


async def my_networks(work: Work, member: Member) -> list[Joined]:
    return await joined(work, member.id)


async def coordinates_any(work: Work, member: Member) -> bool:
    """She coordinates at least one network (and may be its legal support)."""
    memberships = await work.networks.memberships_of(member.id)
    return any(membership.role == Role.COORDINATOR for membership in memberships)


async def coordinated(work: Work, member: Member, network_id: str) -> Joined | Refused:
    """Her network `network_id` if she coordinates it."""
    for network in await joined(work, member.id):
        if network.network.id == network_id and network.is_coordinator:
            return network
    return Refused("network.error.not_coordinator")


async def new_member_pass(work: Work, member: Member, network_id: str) -> PassCreated | Refused:
    """A coordinator's single-use link and code for a new member; in a network with vouches,
    any member's invitation, which makes the newcomer a candidate with one vouch."""
    for network in await joined(work, member.id):
        if network.network.id != network_id:
            continue
        vouches = network.config.vouches
        if network.is_coordinator:
            return await _new_pass(work, network.network, PASS_MEMBER, network.membership, vouches)
        if vouches > 0:
            return await _new_pass(work, network.network, PASS_INVITE, network.membership, vouches)
        return Refused("network.error.not_coordinator")
    return Refused("network.error.not_member")


async def use_code(
    work: Work, member: Member, code: str
) -> Welcome | Candidate | Vouched | Refused:
    """A code or link opened: she joins, becomes a candidate, or vouches for one."""
    now = work.clock.now()
    found = await work.networks.find_pass(code)
    if found is None or found.used_at is not None or found.expires_at <= now:
        return Refused("network.error.code")
    network = await work.networks.get(found.network_id)
    if network is None:
        return Refused("network.error.code")
    config = config_from_json(network.config)
    if found.kind == PASS_VOUCH:
        return await _vouch(work, member, network, config, found.candidate_id)
    existing = await work.networks.membership(network.id, member.id)
    if existing is not None and existing.status == ACTIVE and found.kind != PASS_COORDINATOR:
        return Refused("network.error.already", {"network": network.name})
    if not await work.networks.use_pass(found.id, now):
        return Refused("network.error.code")
    if found.kind == PASS_INVITE:
        if existing is not None:
            return Refused("network.error.already", {"network": network.name})
        return await _candidate(work, member, network, config, found.issuer_id)
    role = COORDINATOR if found.kind == PASS_COORDINATOR else MEMBER
    if existing is not None:
        await work.networks.update_membership(existing.id, role=role, status=ACTIVE)
    else:
        await work.networks.join(network.id, member.id, role, ACTIVE, now)
    if found.issuer_id:
        await _tell_issuer(work, found.issuer_id, network, found.id)
    return Welcome(network.name, role == COORDINATOR)


async def _candidate(
    work: Work,
    member: Member,
    network: Network,
    config: NetworkConfig,
    inviter_id: str | None,
) -> Welcome | Candidate:
    """A member's invitation counts as the first vouch; the rest come with her code."""
    now = work.clock.now()
    candidate = await work.networks.join(network.id, member.id, MEMBER, CANDIDATE, now)
    vouches = 0
    if inviter_id:
        digest = await work.networks.digest(network.id, "vouch", inviter_id)
        vouches = await work.networks.vouch(candidate.id, digest) or 0
    if vouches >= config.vouches:
        await work.networks.update_membership(candidate.id, status=ACTIVE)
        return Welcome(network.name, False)
    created = await _new_pass(
        work, network, PASS_VOUCH, None, config.vouches, candidate_id=candidate.id
    )
    return Candidate(network.name, created.code, vouches, config.vouches)


async def _vouch(
    work: Work,
    member: Member,
    network: Network,
    config: NetworkConfig,
    candidate_id: str | None,
) -> Vouched | Refused:
    voucher = await work.networks.membership(network.id, member.id)
    candidate = await work.networks.membership_by_id(candidate_id or "")
    if voucher is None or voucher.status != ACTIVE:
        return Refused("network.error.code")
    if candidate is None or candidate.status != CANDIDATE:
        return Refused("network.error.code")
    digest = await work.networks.digest(network.id, "vouch", voucher.id)
    vouches = await work.networks.vouch(candidate.id, digest)
    if vouches is None:
        return Refused("network.error.vouched")
    if vouches >= config.vouches:
        await work.networks.update_membership(candidate.id, status=ACTIVE)
        await work.notify(
            NetworkWelcome(candidate.member_id, network.name, membership_id=candidate.id)
        )
    return Vouched(network.name, vouches, config.vouches)


async def _tell_issuer(work: Work, issuer_id: str, network: Network, pass_id: str) -> None:
    issuer = await work.networks.membership_by_id(issuer_id)
    if issuer is not None:
        await work.notify(NetworkPassUsed(issuer.member_id, network.name, pass_id=pass_id))


@dataclass(frozen=True)
class MembersPage:
    network: Joined
    entries: list[tuple[Membership, str]]  # the membership and her alias
    page: int
    pages: int


async def members_page(
    work: Work, member: Member, network_id: str, page: int
) -> MembersPage | Refused:
    """A page of a network's members, for its coordinators."""
    network = await coordinated(work, member, network_id)
    if isinstance(network, Refused):
        return network
    total = await work.networks.count_members(network_id)
    pages = max(1, -(-total // PAGE))
    page = min(max(page, 0), pages - 1)
    entries = []
    for membership in await work.networks.members_of(network_id, page * PAGE, PAGE):
        person = await work.members.get(membership.member_id)
        entries.append((membership, person.alias or "" if person else ""))
    return MembersPage(network, entries, page, pages)


async def _managed(
    work: Work, member: Member, membership_id: str
) -> tuple[Membership, Joined] | Refused:
    """A membership in a network she coordinates, and that network."""
    target = await work.networks.membership_by_id(membership_id)
    if target is None:
        return Refused("network.error.gone")
    network = await coordinated(work, member, target.network_id)
    return network if isinstance(network, Refused) else (target, network)


async def remove_member(work: Work, member: Member, membership_id: str) -> str | Refused:
    """A coordinator removes a member, who loses access at once and is told; her warnings
    stay, unlinked from her. Returns the alias of the member removed."""
    managed = await _managed(work, member, membership_id)
    if isinstance(managed, Refused):
        return managed
    target, network = managed
    if target.member_id == member.id:
        return Refused("network.error.self")
    person = await work.members.get(target.member_id)
    await _leave(work, target)
    await work.notify(
        NetworkRemoved(target.member_id, network.network.name, membership_id=target.id)
    )
    return person.alias or "" if person else ""


async def toggle_trusted(work: Work, member: Member, membership_id: str) -> Membership | Refused:
    """Trust a member, or stop: a trusted member's warnings publish at once, without
    waiting for a coordinator."""
    managed = await _managed(work, member, membership_id)
    if isinstance(managed, Refused):
        return managed
    target, _ = managed
    await work.networks.update_membership(target.id, trusted=not target.trusted)
    return await work.networks.membership_by_id(target.id) or target


async def leave_network(work: Work, member: Member, network_id: str) -> str | Refused:
    """She leaves a network; her warnings stay, unlinked from her."""
    membership = await work.networks.membership(network_id, member.id)
    network = await work.networks.get(network_id)
    if membership is None or network is None:
        return Refused("network.error.not_member")
    await _leave(work, membership)
    return network.name


async def _leave(work: Work, membership: Membership) -> None:
    """She is out: her warnings are cut from her, and the network's warnings still waiting
    for their time (a delay before publication) no longer reach her."""
    now = work.clock.now()
    waiting = await work.warnings.published_since(membership.network_id, now)
    await work.outbox.drop_held(membership.member_id, int(Priority.BROADCAST), waiting)
    await work.networks.leave(membership.id)


async def purge(work: Work, now: datetime) -> int:
    """Used and expired passes, and candidates whose vouches did not come in time."""
    before = now - timedelta(seconds=work.limits.network_pass_ttl_seconds)
    return await work.networks.purge(now, before)
