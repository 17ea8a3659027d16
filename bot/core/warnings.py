"""Peer warnings: the /warn form, moderation, publication to the members who follow the
area, "it happened to me too", flags, phone and plate checks, and expiry.

Nothing a member receives names or hints at the reporter: no "reported by", no time of
submission (only the day it happened, coarsely; it reaches members after a random delay),
and every member who follows the area receives it, its author too if she follows it, so
the set of recipients is the same whoever reported it.

Rates: a member may send `warnings_per_day` warnings a day in a network; past
`warnings_burst` publications in `warnings_burst_seconds`, a network's new warnings wait
for a coordinator; and in an open network a member's first `review_first` warnings do too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.context import Refused, Work
from bot.core.network_config import NetworkConfig
from bot.core.networks import COORDINATOR, Joined, coordinated, joined
from bot.core.notifications import (
    PeerWarningMessage,
    WarningPublished,
    WarningRejected,
    WarningToReview,
)
from bot.core.phones import display_phone, example_phone, normalize_phone, normalize_plate
from bot.core.records import Member, PeerWarning, WarningStatus
from bot.core.warn_form import EXTRAS, answer, next_field

CHECK_RESULTS = 10
PENDING, PUBLISHED, FLAGGED = WarningStatus.PENDING, WarningStatus.PUBLISHED, WarningStatus.FLAGGED
VISIBLE = (PUBLISHED, FLAGGED)  # a flagged warning stays up until a coordinator decides


DAY, HOUR = timedelta(days=1), timedelta(hours=1)


@dataclass(frozen=True)
class Submitted:
    """Sent: to be published after its delay (to `recipients` members), or to wait for a
    coordinator because the network reviews every warning (`review`), these are among her
    first (`first`), or the network published many just now (`busy`)."""

    published: bool
    recipients: int
    waits: str = ""  # review, first, busy


def on_the_hour(moment: datetime) -> datetime:
    """The hour a moment falls in: a warning is dated no finer, so that its date does not
    point at the moment its author sent it."""
    return moment.replace(minute=0, second=0, microsecond=0)


def publication_delay(config: NetworkConfig, chance: random.Random) -> timedelta:
    """How long a warning waits before it reaches members: a random time in the network's
    range (publish_delay_minutes), to the second."""
    fewest, most = config.publish_delay_minutes
    return timedelta(seconds=round(chance.uniform(fewest * 60, most * 60)))


def burst_wait(
    published: list[datetime], now: datetime, limit: int, window: timedelta
) -> timedelta | None:
    """None when the network may publish one more warning now; else how long until it
    may. `published` are the times its warnings went out or will (a delay is ahead):
    counting those since `now - window` keeps any `window` to `limit` publications."""
    recent = sorted(t for t in published if t >= now - window)
    if len(recent) < limit:
        return None
    return max(timedelta(minutes=1), recent[len(recent) - limit] + window - now)


def day_start(now: datetime) -> datetime:
    """Her warnings created since this count for today: with creation times kept to the
    hour, a warning counts for 24 to 25 hours, never fewer than 24."""
    return on_the_hour(now) - DAY


async def submit(work: Work, member: Member, draft: dict[str, str]) -> Submitted | Refused:
    """Send the form: it is published after a random delay (open network, trusted member,
    coordinator), or waits for a coordinator, who is told. Past her daily limit it is
    refused, and the form stays as it is."""
    if next_field(draft) != "review":
        return Refused("warn.error.incomplete")
    now = work.clock.now()
    network = await _joined(work, member, draft["network"])
    if network is None:
        return Refused("network.error.not_member")
    network_id, mine, config = network.network.id, network.membership, network.config
    limit = work.limits.warnings_per_day
    if await work.warnings.count_by(network_id, mine.id, day_start(now)) >= limit:
        return Refused("warn.error.daily_limit", {"count": str(limit)})
    body = {
        "kind": draft["kind"],
        "area": draft["area"],
        "when": draft["when"],
        "day": now.date().isoformat(),
        "text": draft["text"],
        **{name: draft[name] for name in EXTRAS if draft.get(name)},
    }
    digests = await _identifiers(work, network_id, body)
    waits = await _waits(work, network, now)
    created = on_the_hour(now)
    expires = created + timedelta(days=config.retention_days)
    if waits:
        warning = await work.warnings.add(
            network_id, mine.id, PENDING, body, digests, created, expires
        )
        await _tell_coordinators(work, network, warning.id, "pending")
        return Submitted(False, 0, waits)
    at = now + publication_delay(config, work.core.chance)
    warning = await work.warnings.add(
        network_id, mine.id, PUBLISHED, body, digests, created, expires, at
    )
    return Submitted(True, await _fan_out(work, warning, network, at))


async def _waits(work: Work, network: Joined, now: datetime) -> str:
    """Why her warning waits for a coordinator (`review`, `first`, `busy`), or "" if not."""
    if await _busy(work, network.network.id, now) is not None:
        return "busy"
    mine = network.membership
    if mine.trusted or mine.role == COORDINATOR:
        return ""
    if network.config.moderation != "open":
        return "review"
    published = await work.warnings.count_by(network.network.id, mine.id)
    return "first" if published < network.config.review_first else ""


async def _busy(work: Work, network_id: str, now: datetime) -> timedelta | None:
    """How long until the network may publish again (None: now)."""
    limits = work.limits
    window = timedelta(seconds=limits.warnings_burst_seconds)
    published = await work.warnings.published_since(network_id, now - window)
    return burst_wait(published, now, limits.warnings_burst, window)


async def _joined(work: Work, member: Member, network_id: str) -> Joined | None:
    for network in await joined(work, member.id):
        if network.network.id == network_id:
            return network
    return None


async def _identifiers(work: Work, network_id: str, body: dict[str, str]) -> list[bytes]:
    digests = []
    for name in ("phone", "plate"):
        if body.get(name):
            digests.append(await work.networks.digest(network_id, name, body[name]))
    return digests


def warning_params(warning: PeerWarning, network: Joined) -> dict[str, object]:
    """What a member reads about a warning: never who reported it, nor when exactly."""
    return _params(warning.id, warning.body, warning.me_too, network)


def draft_params(draft: dict[str, str], network: Joined, today: date) -> dict[str, object]:
    """The form as it will read once published, for her review."""
    return _params("", {**draft, "day": today.isoformat()}, 0, network)


def _params(
    warning_id: str, body: dict[str, str], me_too: int, network: Joined
) -> dict[str, object]:
    area = network.config.area(body.get("area", ""))
    phone = body.get("phone")
    return {
        "warning_id": warning_id,
        "network": network.network.name,
        "kind": body.get("kind", "other"),
        "area": area.name if area else "",
        "when": body.get("when", "earlier"),
        "day": body.get("day", ""),
        "text": body.get("text", ""),
        "phone": display_phone(phone, network.config.region) if phone else "",
        "plate": body.get("plate", ""),
        "name": body.get("name", ""),
        "me_too": me_too,
    }


async def _fan_out(work: Work, warning: PeerWarning, network: Joined, at: datetime) -> int:
    """Queue the warning for every member who follows its area, at broadcast priority, to
    leave at `at` (after its delay). Its author gets it too if she follows the area: the
    recipients are the followers, whoever wrote it."""
    area_digest = await work.networks.digest(network.network.id, "area", warning.body["area"])
    params = warning_params(warning, network)
    followers = await work.networks.followers(network.network.id, area_digest)
    return await work.notify_many(
        [PeerWarningMessage.from_fields(follower.member_id, params) for follower in followers],
        not_before=at,
    )


async def _tell_coordinators(work: Work, network: Joined, warning_id: str, reason: str) -> None:
    """A warning waits for them: new (`pending`) or `flagged`."""
    for coordinator in await work.networks.coordinators_of(network.network.id):
        await work.notify(
            WarningToReview(
                coordinator.member_id,
                network.network.name,
                warning_id=warning_id,
                reason=reason,
                coordinator_id=coordinator.id,
            ),
        )


# Moderation


@dataclass(frozen=True)
class ToReview:
    warning: PeerWarning
    network: Joined
    waiting: int  # including this one


async def next_to_review(work: Work, member: Member) -> ToReview | None:
    """The oldest warning waiting in the networks she coordinates."""
    now = work.clock.now()
    mine = {n.network.id: n for n in await joined(work, member.id) if n.is_coordinator}
    if not mine:
        return None
    queue = await work.warnings.for_moderation(list(mine), now, 1)
    if not queue:
        return None
    waiting = await work.warnings.count_for_moderation(list(mine), now)
    return ToReview(queue[0], mine[queue[0].network_id], waiting)


async def to_review(work: Work, member: Member, warning_id: str) -> ToReview | Refused:
    """One published warning in front of a coordinator of its network, who may remove it."""
    now = work.clock.now()
    moderated = await _moderated(work, member, warning_id, now, "warning.error.gone")
    if isinstance(moderated, Refused):
        return moderated
    warning, network = moderated
    waiting = await work.warnings.count_for_moderation([warning.network_id], now)
    return ToReview(warning, network, waiting)


async def _moderated(
    work: Work, member: Member, warning_id: str, now: datetime, gone: str
) -> tuple[PeerWarning, Joined] | Refused:
    """A live warning of a network she coordinates, and that network."""
    warning = await work.warnings.get(warning_id)
    if warning is None or warning.expires_at <= now:
        return Refused(gone)
    network = await coordinated(work, member, warning.network_id)
    return network if isinstance(network, Refused) else (warning, network)


DECISIONS = ("approve", "trust", "reject", "keep", "remove")


async def decide(work: Work, member: Member, warning_id: str, decision: str) -> str | Refused:
    """A coordinator's decision on a warning: approve (and perhaps trust its author, without
    learning who she is), reject, keep a flagged one, or remove. Returns the decision."""
    if decision not in DECISIONS:
        return Refused("warn.error.stale")
    now = work.clock.now()
    moderated = await _moderated(work, member, warning_id, now, "moderation.error.gone")
    if isinstance(moderated, Refused):
        return moderated
    warning, network = moderated
    first_time = warning.status == PENDING
    if decision in ("approve", "trust") and first_time:
        wait = await _busy(work, network.network.id, now)
        if wait is not None:  # it stays waiting; she may publish it in a few minutes
            minutes = str(max(1, round(wait.total_seconds() / 60)))
            return Refused("moderation.error.busy", {"count": minutes})
    if decision in ("approve", "trust", "keep"):
        if decision == "trust" and warning.reporter_id:
            await work.networks.update_membership(warning.reporter_id, trusted=True)
        at = now + publication_delay(network.config, work.core.chance) if first_time else None
        # Published, or kept after a flag: the flags counted so far are answered.
        await work.warnings.set_status(warning.id, PUBLISHED, at, reset_flags=True)
        if at is not None:
            await _fan_out(work, warning, network, at)
            await _tell_reporter(work, warning, WarningPublished, network, at)
    else:
        await work.warnings.delete(warning.id)
        if first_time:
            await _tell_reporter(work, warning, WarningRejected, network, now)
    return decision


async def edit_text(work: Work, member: Member, warning_id: str, text: str) -> Refused | None:
    """A coordinator rewrites a waiting warning's text (to take out a name, say)."""
    checked = answer({}, "text", text, None)
    if isinstance(checked, Refused):
        return checked
    moderated = await _moderated(
        work, member, warning_id, work.clock.now(), "moderation.error.gone"
    )
    if isinstance(moderated, Refused):
        return moderated
    warning, _ = moderated
    await work.warnings.set_body(warning.id, {**warning.body, "text": checked["text"]})
    return None


async def _tell_reporter(
    work: Work,
    warning: PeerWarning,
    outcome: type[WarningPublished],
    network: Joined,
    after: datetime,
) -> None:
    """Published or rejected (`WarningRejected`): the reporter is told, and only she, a
    random delay `after` the publication or the decision: a notice to her sent at the
    moment of either would show who wrote it."""
    if warning.reporter_id is None:
        return
    reporter = await work.networks.membership_by_id(warning.reporter_id)
    if reporter is None:
        return
    later = after + publication_delay(network.config, work.core.chance)
    await work.notify_many([outcome(reporter.member_id, warning_id=warning.id)], later)


# What members do with a warning


async def mark(work: Work, member: Member, warning_id: str, what: str) -> int | Refused:
    """ "It happened to me too" (counted once per member) or a flag as false or abusive,
    which puts it back in front of the coordinators. Returns the new count."""
    if what not in ("me_too", "flags"):
        return Refused("warn.error.stale")
    warning = await work.warnings.get(warning_id)
    if warning is None or warning.expires_at <= work.clock.now():
        return Refused("warning.error.gone")
    network = await _joined(work, member, warning.network_id)
    if network is None:
        return Refused("network.error.not_member")
    digest = await work.networks.digest(network.network.id, f"mark/{what}", network.membership.id)
    count = await work.warnings.mark(warning.id, what, digest)
    if count is None:
        return Refused(f"warning.error.{what}_again")
    if what == "flags" and warning.status == PUBLISHED:
        await work.warnings.set_status(warning.id, FLAGGED)
        await _tell_coordinators(work, network, warning.id, "flagged")
    return count


@dataclass(frozen=True)
class Found:
    warning: PeerWarning
    network: Joined


@dataclass(frozen=True)
class Checked:
    """What she checked (`phone` or `plate`) and the warnings that carry it."""

    what: str
    found: list[Found]


async def check_client(work: Work, member: Member, text: str) -> Checked | Refused:
    """The active warnings in her networks about this phone number or car plate. Only
    members may check, at most `checks_per_hour` an hour, phones and plates together;
    nothing records what was checked. A client's name is not searchable."""
    now = work.clock.now()
    networks = await joined(work, member.id)
    if not networks:
        return Refused("check.error.not_member")
    what, digests = await _check_digests(work, networks, text)
    if not digests:
        return Refused("check.error.phone", {"example": example_phone(networks[0].config.region)})
    limit = work.limits.checks_per_hour
    times = take_check(await work.warnings.check_times(member.id), now, limit)
    if times is None:
        return Refused("check.error.limit", {"count": str(limit)})
    await work.warnings.set_check_times(member.id, times)
    by_id = {n.network.id: n for n in networks}
    found = await work.warnings.matching(digests, VISIBLE, now, CHECK_RESULTS)
    return Checked(what, [Found(warning, by_id[warning.network_id]) for warning in found])


async def _check_digests(
    work: Work, networks: list[Joined], text: str
) -> tuple[str, list[tuple[str, bytes]]]:
    """A phone number read with each network's region; failing that, a plate, digested as
    the warning form stores it (bot/core/warn_form.py), under each network's key."""
    digests = []
    for network in networks:
        phone = normalize_phone(text, network.config.region)
        if phone is not None:
            digest = await work.networks.digest(network.network.id, "phone", phone)
            digests.append((network.network.id, digest))
    if digests:
        return "phone", digests
    plate = checkable_plate(text)
    if plate is None:
        return "plate", []
    for network in networks:
        digests.append(
            (network.network.id, await work.networks.digest(network.network.id, "plate", plate))
        )
    return "plate", digests


def checkable_plate(text: str) -> str | None:
    """A plate as the warning form keeps it ("ABC-123", "abc 123", "ABC123" are "ABC123"),
    if it has letters and digits both, as plates of Mexico, Guatemala and Peru do: a word
    ("hola") or a number that is not a phone is not checked as a plate."""
    plate = normalize_plate(text)
    if plate is None or plate.isdigit() or plate.isalpha():
        return None
    return plate


def take_check(times: list[datetime], now: datetime, limit: int) -> list[datetime] | None:
    """Her checks of the last hour with one more now; None when she made `limit` of them
    already. A sliding window: in any hour, never more than `limit` checks."""
    recent = [t for t in times if t >= now - HOUR]
    return None if len(recent) >= limit else [*recent, now]


async def resources(work: Work, member: Member) -> list[tuple[str, NetworkConfig]]:
    """Her networks' names and configurations, for the local resources in /help."""
    return [(n.network.name, n.config) for n in await joined(work, member.id)]


async def purge(work: Work, now: datetime) -> int:
    """Delete the warnings past their network's retention."""
    return await work.warnings.purge(now)
