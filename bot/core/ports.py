"""What the core needs of storage, and nothing more: the repositories' methods that use cases
call, the unit of work that holds them, and the database that opens one. storage/ implements
them; mypy checks that it does wherever a `Core` is built with storage's `Database`.

Repositories take and return the records of bot/core/records.py, never rows; they never
commit; they seal, unseal and hash on the way (the core never sees a key or a hash it
could leak)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from bot.core.records import (
    CheckIn,
    Contact,
    Conversation,
    Delivery,
    Invite,
    Location,
    Member,
    Membership,
    Network,
    NetworkPass,
    PartnerNote,
    PeerWarning,
    PinMatch,
    RecordEntry,
    SafetySettings,
    Shift,
    ShiftPass,
    SupportCase,
)


class Members(Protocol):
    async def find_by_telegram(self, user_id: int) -> Member | None: ...
    def unreachable(self, member_id: str) -> bool:
        """Whether a worker's contact row marked her unreachable when she was found."""

    async def ids_after(self, after: str, limit: int) -> list[str]:
        """Member ids in id order, from just after `after`: for walking every member."""

    async def get(self, member_id: str) -> Member | None: ...
    async def add(self, user_id: int, language: str, timezone: str, now: datetime) -> Member: ...
    async def save(self, member: Member) -> None:
        """Write her changeable fields; her conversation has `set_conversation`."""

    async def set_conversation(self, member_id: str, conversation: Conversation | None) -> None:
        """Write only where she is in a flow: the rest of her record is left as it is."""

    async def delete(self, member_id: str) -> bool:
        """Delete her and her data key: whatever it sealed, anywhere, no longer opens."""

    async def idle_to_notify(self, seen_before: datetime, limit: int) -> list[str]:
        """Members not seen since `seen_before` who were not yet told they will be forgotten."""

    async def mark_idle_notice(self, member_id: str, now: datetime) -> None: ...
    async def idle_to_forget(self, told_before: datetime, limit: int) -> list[str]:
        """Members told before `told_before` who have not been seen since."""


class Invites(Protocol):
    async def add(
        self, worker_id: str, token: str, label: str | None, expires_at: datetime
    ) -> Invite: ...
    async def find_by_token(self, token: str) -> Invite | None: ...
    async def get(self, invite_id: str) -> Invite | None: ...
    async def mark_used(self, invite_id: str, now: datetime) -> None: ...
    async def purge(self, now: datetime) -> int:
        """Delete invitations that were used or have expired."""


class Contacts(Protocol):
    """Her trusted contacts. A link made by accepting her invitation is pending until she
    confirms the account: every method but the `pending` ones sees only confirmed links."""

    async def add(
        self, worker_id: str, contact_id: str, label: str | None, now: datetime
    ) -> Contact: ...
    async def add_pending(
        self, worker_id: str, contact_id: str, label: str | None, token: str, now: datetime
    ) -> Contact:
        """A link waiting for her "Sí"; only a hash of `token` (her buttons') is kept."""

    async def pending_by_token(self, worker_id: str, token: str) -> Contact | None: ...
    async def pending_exists(self, worker_id: str, contact_member_id: str) -> bool: ...
    async def confirm(self, contact_row_id: str, now: datetime) -> None: ...
    async def pending_before(self, before: datetime) -> list[Contact]:
        """Links still waiting for her answer, made before `before` (they expire)."""

    async def get(self, contact_row_id: str) -> Contact | None: ...
    async def of_worker(self, worker_id: str) -> list[Contact]:
        """Her contacts, oldest first."""

    async def of_contact(self, contact_member_id: str) -> list[Contact]:
        """The links in which this member is somebody's trusted contact."""

    async def find(self, worker_id: str, contact_member_id: str) -> Contact | None: ...
    async def count_of_worker(self, worker_id: str) -> int: ...
    async def unreachable_of_worker(self, worker_id: str) -> list[Contact]:
        """Her contacts Telegram does not deliver to, oldest first."""
    async def remove(self, contact_row_id: str) -> None: ...
    async def mark_unreachable(self, contact_row_id: str, now: datetime) -> bool:
        """Mark the link unreachable; True only the first time (so the worker is told once)."""

    async def mark_reachable(self, contact_member_id: str) -> None: ...


class CheckIns(Protocol):
    changed: bool  # a timer was added or moved in this unit of work: wake the scheduler

    async def add(self, checkin: CheckIn) -> None: ...
    async def save(self, checkin: CheckIn) -> None:
        """Write the check-in's state; details are sealed again, or dropped when None."""

    async def erase_details(self, checkin_id: str) -> None:
        """Destroy the check-in's own key with the details and location it sealed."""

    async def get(self, checkin_id: str) -> CheckIn | None: ...
    async def set_location(self, checkin_id: str, location: Location) -> None:
        """Replace only the point, never a status or next action the scheduler changed."""

    async def open_for(self, member_id: str) -> CheckIn | None:
        """Her running check-in, if any; a duress alarm is not one (to her, it ended)."""

    async def all_open_for(self, member_id: str) -> list[CheckIn]:
        """Every check-in of hers that is not over, a duress alarm included."""

    async def claim_due(self, now: datetime, limit: int) -> list[CheckIn]:
        """Check-ins whose next action is due, locked until the commit (skipped by others)."""

    async def earliest_action(self) -> datetime | None: ...
    async def delete(self, checkin_id: str) -> None: ...
    async def purge(self, details_before: datetime, rows_before: datetime) -> int:
        """Details of check-ins alerted before `details_before`, rows ended before
        `rows_before`."""


class Outbox(Protocol):
    changed: bool  # messages were queued in this unit of work: wake the sender

    async def add(
        self, key: str, recipient_id: str, priority: int, payload: dict[str, Any], now: datetime
    ) -> bool:
        """Queue a notification once per idempotency key; False when the key was already used."""

    async def add_many(
        self,
        items: Sequence[tuple[str, str, int, dict[str, Any]]],
        now: datetime,
        not_before: datetime | None = None,
    ) -> int:
        """Queue (key, recipient, priority, payload) notifications, each once per key;
        returns how many were new. With `not_before`, they wait until then."""

    async def deliveries(self, keys: Sequence[str]) -> dict[str, Delivery]:
        """What became of the messages queued under `keys`, by key (a key never queued, or
        no longer on record, is left out)."""

    async def message_id_of(self, key: str) -> int | None:
        """The id, in the recipient's chat, of the sent message queued under `key`; None
        while it is not sent, or once it is no longer on record."""

    async def take_message_ids(self, recipient_id: str) -> list[int]:
        """The ids, in her chat, of the messages sent to her that are still on record;
        forgotten as they are handed out, so that each is deleted once."""

    async def drop_held(self, recipient_id: str, priority: int, times: Sequence[datetime]) -> int:
        """Delete her pending messages of this priority held back until one of `times` (the
        warnings of a network she left, waiting for their time); returns how many."""

    async def purge(self, sent_before: datetime, failed_before: datetime) -> int:
        """Delete sent rows that ended before `sent_before`, failed ones before `failed_before`."""


class Safety(Protocol):
    async def settings(self, member_id: str) -> SafetySettings: ...
    async def codeword_reply_if_matches(self, member_id: str, phrase: str) -> str | None:
        """Her chosen harmless reply when `phrase` (normalized) is her code word, else None."""

    async def set_codeword(self, member_id: str, phrase: str, reply: str) -> bool:
        """Keep her code word; False, and nothing kept, when it is her detention word."""

    async def detention_reply_if_matches(self, member_id: str, phrase: str) -> str | None:
        """Her code word's reply when `phrase` (normalized) is her detention word, else None."""

    async def set_detention_word(self, member_id: str, phrase: str) -> bool:
        """Keep her detention word; False, and nothing kept, when it is her code word."""

    async def clear_detention_word(self, member_id: str) -> None: ...
    async def set_codeword_reply(self, member_id: str, reply: str) -> bool: ...
    async def clear_codeword(self, member_id: str) -> None: ...
    async def hash_pin(self, pin: str) -> str:
        """A slow, salted hash of a PIN, for her first PIN to wait until she types the second."""

    async def check_pin(self, member_id: str, pin: str) -> PinMatch | None:
        """Which of her PINs `pin` is, as slowly whichever it is; None when she has none."""

    async def set_pins(self, member_id: str, safe_hash: str, duress: str) -> bool:
        """Keep her safety PIN (hashed by `hash_pin`) and her duress PIN; False, and nothing
        kept, when the duress PIN is the safety PIN."""

    async def clear_pins(self, member_id: str) -> None: ...


class Networks(Protocol):
    async def add(self, name: str, config: str, now: datetime) -> Network: ...
    async def get(self, network_id: str) -> Network | None: ...
    async def find_by_name(self, name: str) -> Network | None: ...
    async def all(self) -> list[Network]: ...
    async def set_config(self, network_id: str, config: str) -> None: ...
    async def digest(self, network_id: str, label: str, value: str) -> bytes:
        """A keyed digest under the network's key: an area, a phone number, a plate, a
        member who vouched or marked a warning. Useless without the master key."""

    async def join(
        self, network_id: str, member_id: str, role: str, status: str, now: datetime
    ) -> Membership: ...
    async def membership(self, network_id: str, member_id: str) -> Membership | None: ...
    async def membership_by_id(self, membership_id: str) -> Membership | None: ...
    async def memberships_of(self, member_id: str) -> list[Membership]:
        """Her active memberships, oldest first."""

    async def members_of(self, network_id: str, offset: int, limit: int) -> list[Membership]:
        """A page of a network's active members, oldest first."""

    async def coordinators_of(self, network_id: str) -> list[Membership]: ...
    async def count_members(self, network_id: str) -> int: ...
    async def update_membership(
        self,
        membership_id: str,
        *,
        role: str | None = None,
        status: str | None = None,
        trusted: bool | None = None,
    ) -> None: ...
    async def leave(self, membership_id: str) -> None:
        """Delete the membership; her areas and vouches go with it, her warnings stay unlinked."""

    async def areas_of(self, membership_id: str) -> set[bytes]: ...
    async def follow(self, membership_id: str, area_digest: bytes) -> None: ...
    async def unfollow(self, membership_id: str, area_digest: bytes) -> None: ...
    async def followers(self, network_id: str, area_digest: bytes) -> list[Membership]:
        """The active members who follow an area: the recipients of its warnings."""

    async def add_pass(
        self,
        network_id: str,
        code: str,
        kind: str,
        expires_at: datetime,
        issuer_id: str | None = None,
        candidate_id: str | None = None,
    ) -> NetworkPass: ...
    async def find_pass(self, code: str) -> NetworkPass | None: ...
    async def use_pass(self, pass_id: str, now: datetime) -> bool:
        """Mark a pass used; False when someone else used it first."""

    async def vouch(self, candidate_id: str, voucher_digest: bytes) -> int | None:
        """Count a vouch once per voucher; the candidate's vouches, or None if already given."""

    async def purge(self, now: datetime, candidates_before: datetime) -> int:
        """Delete used and expired passes, and candidates nobody vouched for in time."""


class Warnings(Protocol):
    async def add(
        self,
        network_id: str,
        reporter_id: str | None,
        status: str,
        body: dict[str, str],
        identifiers: Iterable[bytes],
        created_at: datetime,
        expires_at: datetime,
        published_at: datetime | None = None,
    ) -> PeerWarning:
        """A new warning; its author (`reporter_id`, her membership) is kept only as a
        digest and sealed, so that a copy of the database cannot tell who wrote it."""

    async def get(self, warning_id: str) -> PeerWarning | None: ...
    async def set_body(self, warning_id: str, body: dict[str, str]) -> None: ...
    async def set_status(
        self,
        warning_id: str,
        status: str,
        published_at: datetime | None = None,
        reset_flags: bool = False,
    ) -> bool:
        """Move a warning on; False when it is gone (removed, rejected or expired)."""

    async def delete(self, warning_id: str) -> bool: ...
    async def for_moderation(
        self, network_ids: list[str], now: datetime, limit: int
    ) -> list[PeerWarning]:
        """Warnings waiting for a coordinator (new, or flagged by a member), oldest first."""

    async def count_for_moderation(self, network_ids: list[str], now: datetime) -> int: ...
    async def matching(
        self,
        digests: list[tuple[str, bytes]],
        statuses: tuple[str, ...],
        now: datetime,
        limit: int,
    ) -> list[PeerWarning]:
        """Unexpired warnings in `statuses` carrying one of these (network, digest)
        identifiers."""

    async def mark(self, warning_id: str, mark: str, digest: bytes) -> int | None:
        """Count a member's mark once; the new count, or None when she had already marked it."""

    async def purge(self, now: datetime) -> int:
        """Delete expired warnings with their identifiers and marks."""

    async def count_by(
        self, network_id: str, reporter_id: str, created_since: datetime | None = None
    ) -> int:
        """Her warnings in the network: those created since `created_since`, or (None) those
        published, or waiting for their time."""

    async def published_since(self, network_id: str, since: datetime) -> list[datetime]:
        """When the network's warnings published since `since` went out, or will."""

    async def check_times(self, member_id: str) -> list[datetime]:
        """When she checked numbers, as far back as kept (the last hour or so)."""

    async def set_check_times(self, member_id: str, times: Sequence[datetime]) -> None: ...


class Shifts(Protocol):
    """Shifts of partners. Deleting a shift deletes its members, passes and key with it."""

    async def add(self, created_at: datetime, ends_at: datetime) -> Shift: ...
    async def get(self, shift_id: str) -> Shift | None: ...
    async def of_member(self, member_id: str, now: datetime) -> Shift | None:
        """The shift she is in, if it has not ended."""

    async def member_ids(self, shift_id: str) -> list[str]:
        """Its members, longest there first."""

    async def join(self, shift_id: str, member_id: str, now: datetime) -> None: ...
    async def leave(self, shift_id: str, member_id: str) -> None: ...
    async def delete(self, shift_id: str) -> None: ...
    async def add_pass(self, shift_id: str, token: str, expires_at: datetime) -> ShiftPass:
        """Only a hash of `token` is kept."""

    async def find_pass(self, token: str) -> ShiftPass | None: ...
    async def get_pass(self, pass_id: str) -> ShiftPass | None: ...
    async def use_pass(self, pass_id: str) -> bool:
        """Delete the pass; False when someone else used it first."""

    async def ended(self, now: datetime) -> list[Shift]:
        """Shifts whose time is over."""

    async def earliest_end(self) -> datetime | None:
        """When the next shift ends (the scheduler wakes for it); None without shifts."""

    async def state(self, shift_id: str, member_id: str) -> dict[str, str]:
        """Her state in the shift (which message is her status), sealed with her key."""

    async def set_state(self, shift_id: str, member_id: str, state: dict[str, str]) -> None: ...

    async def purge_passes(self, now: datetime) -> int: ...


class PartnerNotes(Protocol):
    """Shift partners' notes on a check-in, sealed with its key; gone with her details."""

    async def of_checkin(self, checkin_id: str) -> list[PartnerNote]: ...
    async def add(self, checkin_id: str, note: PartnerNote) -> bool:
        """False when the check-in's details (and its key) are gone already."""

    async def drop_by(self, author_id: str) -> int:
        """Every note she wrote, on any check-in (her /forget); returns how many."""


class SupportCases(Protocol):
    """Support cases (/apoyo), sealed with their network's key."""

    async def add(
        self,
        network_id: str,
        member_id: str,
        kind: str,
        text: str,
        now: datetime,
        remind_at: datetime | None,
    ) -> SupportCase: ...
    async def get(self, case_id: str) -> SupportCase | None: ...
    async def save(self, case: SupportCase) -> None: ...
    async def delete(self, case_id: str) -> bool: ...
    async def of_networks(self, network_ids: Sequence[str]) -> list[SupportCase]:
        """Every case not closed of these networks, oldest first."""

    async def of_member(self, member_id: str) -> list[SupportCase]: ...
    async def taken_by(self, member_id: str) -> list[SupportCase]: ...
    async def due_reminders(self, now: datetime, limit: int) -> list[SupportCase]: ...
    async def purge(self, now: datetime) -> int: ...


class PrivateRecord(Protocol):
    """Her private record: entries sealed with her key; whose they are, only as a keyed
    digest under it. Reads skip expired entries even before the sweep deletes them."""

    async def add(self, member_id: str, entry: RecordEntry, expires_at: datetime) -> str | None:
        """Keep an entry (its id is made here); None when she no longer exists."""

    async def of_member(self, member_id: str, now: datetime) -> list[RecordEntry]: ...
    async def delete(self, member_id: str, entry_id: str) -> bool: ...
    async def delete_all(self, member_id: str) -> int: ...
    async def set_expiry(self, member_id: str, entry_id: str, expires_at: datetime) -> None: ...
    async def purge(self, now: datetime) -> int:
        """Delete every entry, of anyone, that expired by `now`."""


class Updates(Protocol):
    async def begin(self, update_id: int, person: int | None, now: datetime) -> bool:
        """Record the update as handled by this transaction; False if it was already.
        `person` is a lock key for the person behind it (held until the commit)."""

    async def purge(self, before: datetime) -> int: ...


class UnitOfWork(Protocol):
    """One transaction and its repositories. Nothing commits but `commit()`."""

    # Read-only, so that storage's own repository classes satisfy them.
    @property
    def members(self) -> Members: ...
    @property
    def invites(self) -> Invites: ...
    @property
    def contacts(self) -> Contacts: ...
    @property
    def checkins(self) -> CheckIns: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def safety(self) -> Safety: ...
    @property
    def networks(self) -> Networks: ...
    @property
    def warnings(self) -> Warnings: ...
    @property
    def updates(self) -> Updates: ...
    @property
    def shifts(self) -> Shifts: ...
    @property
    def private_record(self) -> PrivateRecord: ...
    @property
    def support(self) -> SupportCases: ...
    @property
    def notes(self) -> PartnerNotes: ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None:
        """Forget everything done since the last commit; the unit of work can be used again."""

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back what was not committed and give the connection back."""


class RowTokens(Protocol):
    """Row ids as opaque tokens, for data that leaves the server (button data): a token
    matches no stored value, and turns back into its id only with the installation's key."""

    def token(self, kind: str, row_id: str) -> str: ...
    def row_id(self, kind: str, token: str) -> str | None:
        """The id behind a token of this kind; None for anything that is not one."""


class Database(Protocol):
    """What the core asks of the database: a unit of work; and, for the adapters, the
    tokens that stand for row ids outside it."""

    def unit_of_work(self) -> UnitOfWork: ...
    @property
    def tokens(self) -> RowTokens: ...
