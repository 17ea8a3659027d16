"""Members: found by a blind index of the Telegram user id; chat id, alias and settings
(discreet mode, form of address) sealed."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.core.records import Address, Conversation, Member, new_id
from storage.crypto import Keyring, new_key, seal_text, unseal_text
from storage.models import ContactRow, MemberRow, table_of

TELEGRAM_USER = "telegram-user"
# Every member's settings seal to the same length, whatever they hold.
SETTINGS_BYTES = 256  # room for a keyed digest (her detention word) among them
_MEMBERS = table_of(MemberRow)
_CONTACTS = table_of(ContactRow)
# Her record, with facts that most updates need next and would otherwise ask for in round
# trips of their own: whether a contact row marks her unreachable, how many trusted
# contacts she has, and whether any of them is unreachable.
_FIND_BY_INDEX = select(
    _MEMBERS,
    exists()
    .where(_CONTACTS.c.contact_id == _MEMBERS.c.id, _CONTACTS.c.unreachable_at.is_not(None))
    .label("unreachable"),
    select(func.count())
    .select_from(_CONTACTS)
    .where(_CONTACTS.c.worker_id == _MEMBERS.c.id, _CONTACTS.c.confirmed_at.is_not(None))
    .scalar_subquery()
    .label("contacts"),
    exists()
    .where(_CONTACTS.c.worker_id == _MEMBERS.c.id, _CONTACTS.c.unreachable_at.is_not(None))
    .label("contacts_unreachable"),
).where(_MEMBERS.c.telegram_index == bindparam("index"))
_SET_CONVERSATION = (
    update(_MEMBERS)
    .where(_MEMBERS.c.id == bindparam("member_id"))
    .values(conversation_sealed=bindparam("sealed"))
)


class MemberRepository:
    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        self._session = session
        self._keyring = keyring
        self._keys: dict[str, bytes] = {}
        # The rows read in this unit of work, held so that the session's (weak) identity map
        # keeps them: reading her again, or writing her, costs no second SELECT.
        self._rows: dict[str, MemberRow] = {}
        self._unreachable: set[str] = set()
        self._contact_counts: dict[str, int] = {}
        self._contacts_reachable: set[str] = set()

    async def find_by_telegram(self, user_id: int) -> Member | None:
        """Her record (a Core read: every update starts here), and with it whether a contact
        row marks her unreachable (see `unreachable`)."""
        index = self._keyring.blind_index(TELEGRAM_USER, str(user_id))
        row = (await self._session.execute(_FIND_BY_INDEX, {"index": index})).first()
        if row is None:
            return None
        if row.unreachable:
            self._unreachable.add(row.id)
        self._contact_counts[row.id] = int(row.contacts)
        if not row.contacts_unreachable:
            self._contacts_reachable.add(row.id)
        return self._to_member(row)

    @property
    def keyring(self) -> Keyring:
        return self._keyring

    def contact_count(self, member_id: str) -> int | None:
        """How many trusted contacts she had when `find_by_telegram` read her, unless
        contacts were added or removed since in this unit of work (None: ask the database)."""
        return self._contact_counts.get(member_id)

    def contacts_known_reachable(self, member_id: str) -> bool:
        """Whether, when `find_by_telegram` read her, none of her contacts was marked
        unreachable, and no contact changed since in this unit of work."""
        return member_id in self._contacts_reachable

    def forget_contact_facts(self) -> None:
        """Contacts changed in this unit of work: what was read with her record is stale."""
        self._contact_counts.clear()
        self._contacts_reachable.clear()

    def unreachable(self, member_id: str) -> bool:
        """Whether, when `find_by_telegram` read her, a worker's contact row marked her
        unreachable (she had blocked the bot): only then is there anything to clear."""
        return member_id in self._unreachable

    async def ids_after(self, after: str, limit: int) -> list[str]:
        """Member ids in id order, from just after `after`: for walking every member."""
        ids = await self._session.scalars(
            select(MemberRow.id).where(MemberRow.id > after).order_by(MemberRow.id).limit(limit)
        )
        return list(ids)

    async def get(self, member_id: str) -> Member | None:
        row = await self._session.get(MemberRow, member_id)
        return self._to_member(row) if row else None

    async def add(self, user_id: int, language: str, timezone: str, now: datetime) -> Member:
        member_id = new_id()
        key = new_key()
        self._keys[member_id] = key
        row = MemberRow(
            id=member_id,
            telegram_index=self._keyring.blind_index(TELEGRAM_USER, str(user_id)),
            key_wrapped=self._keyring.wrap(key, f"member:{member_id}"),
            chat_sealed=seal_text(key, str(user_id), f"members:chat:{member_id}"),
            alias_sealed=None,
            language=language,
            timezone=timezone,
            conversation_sealed=None,
            settings_sealed=seal_settings(key, member_id, False, Address.NEUTRAL),
            created_at=now,
            last_seen_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return self._to_member(row)

    async def save(self, member: Member) -> None:
        """Write the member's changeable fields: alias, language, zone, wording, last seen (her
        conversation has a method of its own)."""
        row = await self._session.get(MemberRow, member.id)
        if row is None:
            return
        key = self.key_for_row(row)
        row.alias_sealed = (
            seal_text(key, member.alias, f"members:alias:{row.id}") if member.alias else None
        )
        row.language = member.language
        row.timezone = member.timezone
        row.settings_sealed = seal_settings(
            key,
            row.id,
            member.discreet,
            member.address,
            legal_support=member.legal_support,
            checklist=member.checklist,
            record_days=member.record_days,
            share_partners=member.share_partners,
            support=member.support,
            detention=open_all_settings(key, row.id, row.settings_sealed).get("detained"),
        )
        if row.idle_notice_at is not None and member.last_seen_at > row.idle_notice_at:
            row.idle_notice_at = None  # she came back after the notice: nothing to forget
        row.last_seen_at = member.last_seen_at
        await self._session.flush()

    async def set_conversation(self, member_id: str, conversation: Conversation | None) -> None:
        """Write only where she is in a flow: the rest of her record is left as it is."""
        sealed = None
        if conversation:
            key = await self.key_for(member_id)
            if key is None:
                return
            sealed = seal_text(key, _dump_conversation(conversation), f"members:conv:{member_id}")
        await self._session.execute(_SET_CONVERSATION, {"member_id": member_id, "sealed": sealed})
        row = self._rows.get(member_id)
        if row is not None:  # what this unit of work reads of her from now on
            set_committed_value(row, "conversation_sealed", sealed)

    async def delete(self, member_id: str) -> bool:
        """Delete her row, and with it her wrapped data key: whatever it sealed, anywhere,
        no longer opens. Her contacts, invitations, check-ins, safety settings, outbox rows
        and memberships go by cascade; her warnings stay, unlinked (SET NULL)."""
        self._keys.pop(member_id, None)
        self._rows.pop(member_id, None)
        result = await self._session.execute(delete(MemberRow).where(MemberRow.id == member_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def idle_to_notify(self, seen_before: datetime, limit: int) -> list[str]:
        """Members not seen since `seen_before` who were not yet told they will be forgotten."""
        ids = await self._session.scalars(
            select(MemberRow.id)
            .where(MemberRow.last_seen_at < seen_before, MemberRow.idle_notice_at.is_(None))
            .order_by(MemberRow.last_seen_at)
            .limit(limit)
        )
        return list(ids)

    async def mark_idle_notice(self, member_id: str, now: datetime) -> None:
        await self._session.execute(
            update(MemberRow).where(MemberRow.id == member_id).values(idle_notice_at=now)
        )

    async def idle_to_forget(self, told_before: datetime, limit: int) -> list[str]:
        """Members told before `told_before` who have not been seen since."""
        ids = await self._session.scalars(
            select(MemberRow.id)
            .where(
                MemberRow.idle_notice_at < told_before,
                MemberRow.last_seen_at < MemberRow.idle_notice_at,
            )
            .limit(limit)
        )
        return list(ids)

    async def detention_digest(self, member_id: str) -> str | None:
        """The keyed digest of her detention word (a second code word), kept in her sealed
        settings; None when she has none."""
        row = await self._session.get(MemberRow, member_id)
        if row is None:
            return None
        digest = open_all_settings(self.key_for_row(row), row.id, row.settings_sealed)
        found = digest.get("detained")
        return found if isinstance(found, str) else None

    async def set_detention_digest(self, member_id: str, digest: str | None) -> None:
        """Keep (or, with None, drop) her detention word's digest among her sealed settings,
        the rest of them as they are."""
        row = await self._session.get(MemberRow, member_id)
        if row is None:
            return
        key = self.key_for_row(row)
        settings = open_all_settings(key, row.id, row.settings_sealed)
        settings["detained"] = digest
        row.settings_sealed = seal_text(
            key, json.dumps(settings).ljust(SETTINGS_BYTES), f"members:settings:{row.id}"
        )
        await self._session.flush()

    async def key_for(self, member_id: str) -> bytes | None:
        """The member's data key, unwrapped; None when she no longer exists."""
        if member_id in self._keys:
            return self._keys[member_id]
        row = await self._session.get(MemberRow, member_id)
        return self.key_for_row(row) if row else None

    async def keys_for(self, member_ids: Collection[str]) -> dict[str, bytes]:
        """The data keys of many members at once (those who still exist)."""
        missing = [m for m in member_ids if m not in self._keys]
        for start in range(0, len(missing), 500):
            rows = await self._session.execute(
                select(MemberRow.id, MemberRow.key_wrapped).where(
                    MemberRow.id.in_(missing[start : start + 500])
                )
            )
            for member_id, wrapped in rows:
                self._keys[member_id] = self._keyring.unwrap(wrapped, f"member:{member_id}")
        return {m: self._keys[m] for m in member_ids if m in self._keys}

    def key_for_row(self, row: MemberRow) -> bytes:
        self._rows[row.id] = row
        return self._unwrap(row.id, row.key_wrapped)

    def _unwrap(self, member_id: str, wrapped: bytes) -> bytes:
        key = self._keys.get(member_id)
        if key is None:
            key = self._keys[member_id] = self._keyring.unwrap(wrapped, f"member:{member_id}")
        return key

    def _to_member(self, row: MemberRow | Row[Any]) -> Member:
        key = (
            self.key_for_row(row)
            if isinstance(row, MemberRow)
            else self._unwrap(row.id, row.key_wrapped)
        )
        conversation = (
            _load_conversation(unseal_text(key, row.conversation_sealed, f"members:conv:{row.id}"))
            if row.conversation_sealed
            else None
        )
        settings = open_all_settings(key, row.id, row.settings_sealed)
        return Member(
            id=row.id,
            chat_id=int(unseal_text(key, row.chat_sealed, f"members:chat:{row.id}")),
            alias=(
                unseal_text(key, row.alias_sealed, f"members:alias:{row.id}")
                if row.alias_sealed
                else None
            ),
            language=row.language,
            timezone=row.timezone,
            conversation=conversation,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            discreet=bool(settings.get("discreet")),
            address=_address(settings.get("address")),
            legal_support=bool(settings.get("legal")),
            checklist=bool(settings.get("checklist")),
            record_days=_days(settings.get("record")),
            share_partners=bool(settings.get("share")),
            support=bool(settings.get("support")),
        )


def seal_settings(
    key: bytes,
    member_id: str,
    discreet: bool,
    address: str,
    *,
    legal_support: bool = False,
    checklist: bool = False,
    record_days: int = 0,
    share_partners: bool = False,
    support: bool = False,
    detention: str | None = None,
) -> bytes:
    """Discreet mode, her form of address, whether she is legal support (a coordinator),
    whether she wants the checklist before a date and whether her shift partners see her
    details, and the keyed digest of her detention word (base64, or None): sealed with her
    key, padded to one length."""
    settings = json.dumps(
        {
            "discreet": bool(discreet),
            "address": str(address),
            "legal": bool(legal_support),
            "checklist": bool(checklist),
            "record": int(record_days),
            "share": bool(share_partners),
            "support": bool(support),
            "detained": detention,
        }
    )
    return seal_text(key, settings.ljust(SETTINGS_BYTES), f"members:settings:{member_id}")


def open_all_settings(key: bytes, member_id: str, sealed: bytes | None) -> dict[str, Any]:
    """Everything `seal_settings` sealed, by name ("discreet", "address", "legal",
    "checklist", "share"); empty when nothing was sealed."""
    if sealed is None:
        return {}
    settings = json.loads(unseal_text(key, sealed, f"members:settings:{member_id}"))
    return settings if isinstance(settings, dict) else {}


def open_settings(key: bytes, member_id: str, sealed: bytes | None) -> tuple[bool, Address]:
    """What `seal_settings` sealed: (discreet mode, form of address)."""
    settings = open_all_settings(key, member_id, sealed)
    return bool(settings.get("discreet")), _address(settings.get("address"))


def _days(value: object) -> int:
    """How long her private record keeps entries; 0 (off) for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _address(value: str | None) -> Address:
    try:
        return Address(value or Address.NEUTRAL)
    except ValueError:
        return Address.NEUTRAL


def _dump_conversation(conversation: Conversation) -> str:
    return json.dumps({"step": conversation.step, "data": conversation.data})


def _load_conversation(text: str) -> Conversation:
    raw = json.loads(text)
    return Conversation(step=raw["step"], data=dict(raw.get("data", {})))
