"""Invitations (token stored only as a hash) and trusted-contact links (labels sealed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.records import Contact, Invite, new_id
from storage.crypto import Keyring, seal_text, token_hash, unseal_text
from storage.members import MemberRepository
from storage.models import ContactRow, InviteRow, table_of

_CONTACTS = table_of(ContactRow)
# A link she has not confirmed yet counts for nothing: no alert, no notice, no count.
_CONFIRMED = ContactRow.confirmed_at.is_not(None)
_PENDING = ContactRow.confirmed_at.is_(None)
# Every update of hers runs this: built once, it is compiled once.
_MARK_REACHABLE = (
    update(_CONTACTS)
    .where(
        _CONTACTS.c.contact_id == bindparam("member_id"), _CONTACTS.c.unreachable_at.is_not(None)
    )
    .values(unreachable_at=None)
)


class InviteRepository:
    def __init__(self, session: AsyncSession, keyring: Keyring, members: MemberRepository) -> None:
        self._session = session
        self._members = members

    async def add(
        self, worker_id: str, token: str, label: str | None, expires_at: datetime
    ) -> Invite:
        invite_id = new_id()
        key = await self._members.key_for(worker_id)
        assert key is not None
        row = InviteRow(
            id=invite_id,
            worker_id=worker_id,
            token_hash=token_hash(token),
            label_sealed=seal_text(key, label, f"invites:label:{invite_id}") if label else None,
            expires_at=expires_at,
            used_at=None,
        )
        self._session.add(row)
        await self._session.flush()
        return Invite(invite_id, worker_id, label, expires_at, None)

    async def find_by_token(self, token: str) -> Invite | None:
        row = await self._session.scalar(
            select(InviteRow).where(InviteRow.token_hash == token_hash(token))
        )
        return await self._to_invite(row) if row else None

    async def get(self, invite_id: str) -> Invite | None:
        row = await self._session.get(InviteRow, invite_id)
        return await self._to_invite(row) if row else None

    async def mark_used(self, invite_id: str, now: datetime) -> None:
        await self._session.execute(
            update(InviteRow)
            .where(InviteRow.id == invite_id)
            .values(used_at=now, label_sealed=None)
        )

    async def purge(self, now: datetime) -> int:
        """Delete invitations that were used or have expired."""
        result = await self._session.execute(
            delete(InviteRow).where(
                (InviteRow.used_at.is_not(None)) | (InviteRow.expires_at <= now)
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def _to_invite(self, row: InviteRow) -> Invite:
        label = None
        if row.label_sealed:
            key = await self._members.key_for(row.worker_id)
            label = unseal_text(key, row.label_sealed, f"invites:label:{row.id}") if key else None
        return Invite(row.id, row.worker_id, label, row.expires_at, row.used_at)


class ContactRepository:
    def __init__(self, session: AsyncSession, members: MemberRepository) -> None:
        self._session = session
        self._members = members

    async def add(
        self, worker_id: str, contact_id: str, label: str | None, now: datetime
    ) -> Contact:
        """A confirmed link at once."""
        return await self._add(worker_id, contact_id, label, now, confirmed=True)

    async def add_pending(
        self, worker_id: str, contact_id: str, label: str | None, token: str, now: datetime
    ) -> Contact:
        """A link waiting for her "Sí"; only a hash of `token` (her buttons') is kept."""
        return await self._add(worker_id, contact_id, label, now, confirmed=False, token=token)

    async def _add(
        self,
        worker_id: str,
        contact_id: str,
        label: str | None,
        now: datetime,
        confirmed: bool,
        token: str | None = None,
    ) -> Contact:
        row_id = new_id()
        key = await self._members.key_for(worker_id)
        assert key is not None
        self._members.forget_contact_facts()
        self._session.add(
            ContactRow(
                id=row_id,
                worker_id=worker_id,
                contact_id=contact_id,
                label_sealed=seal_text(key, label, f"contacts:label:{row_id}") if label else None,
                created_at=now,
                unreachable_at=None,
                confirmed_at=now if confirmed else None,
                confirm_hash=token_hash(token) if token else None,
            )
        )
        await self._session.flush()
        return Contact(row_id, worker_id, contact_id, label, now, None)

    async def pending_by_token(self, worker_id: str, token: str) -> Contact | None:
        """Her link waiting for confirmation whose buttons carry `token`."""
        row = await self._session.scalar(
            select(ContactRow).where(
                ContactRow.worker_id == worker_id,
                ContactRow.confirm_hash == token_hash(token),
                _PENDING,
            )
        )
        return await self._to_contact(row) if row else None

    async def pending_exists(self, worker_id: str, contact_member_id: str) -> bool:
        found = await self._session.scalar(
            select(ContactRow.id).where(
                ContactRow.worker_id == worker_id,
                ContactRow.contact_id == contact_member_id,
                _PENDING,
            )
        )
        return found is not None

    async def confirm(self, contact_row_id: str, now: datetime) -> None:
        self._members.forget_contact_facts()
        await self._session.execute(
            update(ContactRow)
            .where(ContactRow.id == contact_row_id, _PENDING)
            .values(confirmed_at=now, confirm_hash=None)
        )

    async def pending_before(self, before: datetime) -> list[Contact]:
        """Links still waiting for her answer, made before `before` (they expire)."""
        rows = await self._session.scalars(
            select(ContactRow).where(_PENDING, ContactRow.created_at <= before)
        )
        return [await self._to_contact(row) for row in rows]

    async def get(self, contact_row_id: str) -> Contact | None:
        row = await self._session.get(ContactRow, contact_row_id)
        return await self._to_contact(row) if row and row.confirmed_at is not None else None

    async def of_worker(self, worker_id: str) -> list[Contact]:
        """Her contacts, oldest first."""
        rows = await self._session.scalars(
            select(ContactRow)
            .where(ContactRow.worker_id == worker_id, _CONFIRMED)
            .order_by(ContactRow.created_at, ContactRow.id)
        )
        return [await self._to_contact(row) for row in rows]

    async def unreachable_of_worker(self, worker_id: str) -> list[Contact]:
        """Her contacts Telegram does not deliver to, oldest first; no round trip when her
        record, read first in this update, said there were none."""
        if self._members.contacts_known_reachable(worker_id):
            return []
        rows = await self._session.scalars(
            select(ContactRow)
            .where(
                ContactRow.worker_id == worker_id,
                ContactRow.unreachable_at.is_not(None),
                _CONFIRMED,
            )
            .order_by(ContactRow.created_at, ContactRow.id)
        )
        return [await self._to_contact(row) for row in rows]

    async def of_contact(self, contact_member_id: str) -> list[Contact]:
        """The links in which this member is somebody's trusted contact."""
        rows = await self._session.scalars(
            select(ContactRow)
            .where(ContactRow.contact_id == contact_member_id, _CONFIRMED)
            .order_by(ContactRow.created_at, ContactRow.id)
        )
        return [await self._to_contact(row) for row in rows]

    async def find(self, worker_id: str, contact_member_id: str) -> Contact | None:
        row = await self._session.scalar(
            select(ContactRow).where(
                ContactRow.worker_id == worker_id,
                ContactRow.contact_id == contact_member_id,
                _CONFIRMED,
            )
        )
        return await self._to_contact(row) if row else None

    async def count_of_worker(self, worker_id: str) -> int:
        known = self._members.contact_count(worker_id)
        if known is not None:  # read with her record, and unchanged since
            return known
        total = await self._session.scalar(
            select(func.count())
            .select_from(ContactRow)
            .where(ContactRow.worker_id == worker_id, _CONFIRMED)
        )
        return int(total or 0)

    async def remove(self, contact_row_id: str) -> None:
        self._members.forget_contact_facts()
        await self._session.execute(delete(ContactRow).where(ContactRow.id == contact_row_id))

    async def mark_unreachable(self, contact_row_id: str, now: datetime) -> bool:
        """Mark the link unreachable; True only the first time (so the worker is told once)."""
        self._members.forget_contact_facts()
        result = await self._session.execute(
            update(ContactRow)
            .where(ContactRow.id == contact_row_id, ContactRow.unreachable_at.is_(None))
            .values(unreachable_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def mark_reachable(self, contact_member_id: str) -> None:
        await self._session.execute(_MARK_REACHABLE, {"member_id": contact_member_id})

    async def _to_contact(self, row: ContactRow) -> Contact:
        label = None
        if row.label_sealed:
            key = await self._members.key_for(row.worker_id)
            label = unseal_text(key, row.label_sealed, f"contacts:label:{row.id}") if key else None
        return Contact(
            row.id, row.worker_id, row.contact_id, label, row.created_at, row.unreachable_at
        )
