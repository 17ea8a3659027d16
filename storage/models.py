"""Rows. Everything personal is sealed or a blind index; only scheduling facts are clear."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python; naive UTC in SQLite, timestamptz in PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table_of(model: type[Base]) -> Table:
    """A model's table, for Core statements built once at import (the hot paths)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


Id = String(32)


class SystemKey(Base):
    """Keys of the installation itself (the index root key), wrapped by the master key."""

    __tablename__ = "system_keys"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MemberRow(Base):
    __tablename__ = "members"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    telegram_index: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    key_wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    chat_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    alias_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    language: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    conversation_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    idle_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Discreet mode and her form of address, sealed with her key, padded to one length.
    settings_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)


class InviteRow(Base):
    __tablename__ = "invites"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    worker_id: Mapped[str] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    label_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ContactRow(Base):
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("worker_id", "contact_id"),)
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    worker_id: Mapped[str] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[str] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    label_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Null until the worker confirms the account that accepted her link: until then the row
    # counts for nothing (no alert, no notice, not among her contacts).
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirm_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))  # her buttons' token


class CheckInRow(Base):
    __tablename__ = "checkins"
    __table_args__ = (Index("ix_checkins_member_status", "member_id", "status"),)
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alerts_sent: Mapped[int] = mapped_column(Integer, default=0)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    key_wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    details_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    location_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Her shift partners' notes ("Anotar para Luz"), sealed with the check-in's key and
    # dropped with her details.
    notes_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The alarm kind, wrong PINs and who acknowledged, sealed with her key (not the
    # check-in's, which goes with the details), padded to one length whatever they hold.
    state_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)


class SafetyRow(Base):
    """Her code word (a keyed digest) and PINs (argon2id hashes, sealed with her key)."""

    __tablename__ = "member_safety"
    member_id: Mapped[str] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    codeword_digest: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    codeword_reply: Mapped[str | None] = mapped_column(String(16))
    pins_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)


class NetworkRow(Base):
    """An organisation's peer network: its name and configuration sealed with its own key."""

    __tablename__ = "networks"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name_index: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    key_wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    name_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    config_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MembershipRow(Base):
    """A member in a network: her role, whether she is trusted, or a candidate awaiting
    vouches."""

    __tablename__ = "network_members"
    __table_args__ = (UniqueConstraint("network_id", "member_id"),)
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    network_id: Mapped[str] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[str] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    trusted: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AreaSubscriptionRow(Base):
    """She gets the warnings of an area; the area only as a digest under the network's key."""

    __tablename__ = "area_subscriptions"
    membership_id: Mapped[str] = mapped_column(
        ForeignKey("network_members.id", ondelete="CASCADE"), primary_key=True
    )
    area_digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True, index=True)


class NetworkPassRow(Base):
    """A single-use way in: a coordinator's link, a member's link or code, an invitation
    that waits for vouches, or a candidate's code to vouch for her. Only a keyed digest of
    the code is stored."""

    __tablename__ = "network_passes"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    network_id: Mapped[str] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), index=True
    )
    code_index: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    issuer_id: Mapped[str | None] = mapped_column(
        ForeignKey("network_members.id", ondelete="SET NULL")
    )
    candidate_id: Mapped[str | None] = mapped_column(
        ForeignKey("network_members.id", ondelete="CASCADE")
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VouchRow(Base):
    """One member vouched for a candidate; who, only as a digest under the network's key."""

    __tablename__ = "vouches"
    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("network_members.id", ondelete="CASCADE"), primary_key=True
    )
    voucher_digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)


class WarningRow(Base):
    """A peer warning, sealed with the network's key. Its author is no row id in clear: a
    digest of her membership under the network's key (to count her warnings) and the
    membership sealed (to tell her of a decision, or trust her), both cut when she leaves.
    Times are coarse: created on the hour, published after a random delay."""

    __tablename__ = "warnings"
    __table_args__ = (Index("ix_warnings_network_status", "network_id", "status"),)
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    network_id: Mapped[str] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    reporter_digest: Mapped[bytes | None] = mapped_column(LargeBinary(32), index=True)
    reporter_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16))
    body_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    me_too: Mapped[int] = mapped_column(Integer, default=0)
    flags: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class WarningIdentifierRow(Base):
    """A phone number or plate of a warning, only as a digest under the network's key."""

    __tablename__ = "warning_identifiers"
    warning_id: Mapped[str] = mapped_column(
        ForeignKey("warnings.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True, index=True)


class WarningMarkRow(Base):
    """ "It happened to me too" or a flag, once per member: a digest, not a link to her."""

    __tablename__ = "warning_marks"
    warning_id: Mapped[str] = mapped_column(
        ForeignKey("warnings.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)


class CheckCountRow(Base):
    """When she checked a number in the last hour, sealed with her key; never which."""

    __tablename__ = "check_counts"
    member_id: Mapped[str] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    times_sealed: Mapped[bytes] = mapped_column(LargeBinary)


class ShiftRow(Base):
    """Two to four workers working close by for a shift; deleted, with all of it, when it
    ends."""

    __tablename__ = "shifts"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ShiftMemberRow(Base):
    """A member in a shift (one shift at a time); her status sealed with her own key."""

    __tablename__ = "shift_members"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    shift_id: Mapped[str] = mapped_column(
        ForeignKey("shifts.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[str] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), unique=True
    )
    state_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ShiftPassRow(Base):
    """A single-use way into a shift, for one person; only a hash of its token is kept."""

    __tablename__ = "shift_passes"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    shift_id: Mapped[str] = mapped_column(
        ForeignKey("shifts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RecordEntryRow(Base):
    """An entry of a member's private record (/registro): when, where, what, who, sealed
    with her own key and padded. Whose it is, only as a keyed digest under her key: a copy
    without the key cannot tell who keeps a record. Expires on a day boundary (no finer)."""

    __tablename__ = "record_entries"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    owner_digest: Mapped[bytes] = mapped_column(LargeBinary(32), index=True)
    entry_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SupportCaseRow(Base):
    """A member's request for accompaniment (/apoyo), for her network's support
    coordinators: who she is, who took it, its kind and every message, sealed with the
    network's key. Who she is and who took it also as digests under that key, to find her
    cases (/forget) and a coordinator's; a copy without the key joins them to nobody."""

    __tablename__ = "support_cases"
    __table_args__ = (Index("ix_support_cases_network_status", "network_id", "status"),)
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    network_id: Mapped[str] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    member_digest: Mapped[bytes] = mapped_column(LargeBinary(32), index=True)
    coordinator_digest: Mapped[bytes | None] = mapped_column(LargeBinary(32), index=True)
    status: Mapped[str] = mapped_column(String(16))
    body_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the support coordinators are reminded of a case nobody answered; null: answered.
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # When a closed case is deleted (its network's support retention); null: still open.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_queue", "status", "priority", "created_at"),)
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    recipient_id: Mapped[str] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    priority: Mapped[int] = mapped_column(Integer)
    payload_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_code: Mapped[int | None] = mapped_column(Integer)
    message_id: Mapped[int | None] = mapped_column(Integer)  # in her chat, for /clean
    # Several replicas: which one holds the row, and until when (a dead one's lease expires).
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HandledUpdate(Base):
    """Webhook updates already handled, by Telegram's update_id alone: a retry of one whose
    effects were committed is answered without handling it twice."""

    __tablename__ = "handled_updates"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SendPace(Base):
    """The send budget shared by every replica: the time (seconds since the epoch, by the
    database's clock) at which the next message may go, for all of them together."""

    __tablename__ = "send_pace"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_slot: Mapped[float] = mapped_column(Float)
