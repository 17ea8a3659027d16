"""Peer warnings: the body sealed with the network's key, phone numbers and plates only as
digests, "it happened to me too" and flags as counts, the author as a digest and a sealed
link, and when a member checked numbers in the last hour (never what she checked)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.records import PeerWarning, WarningStatus, new_id
from storage.crypto import keyed_digest, seal_text, unseal_text
from storage.members import MemberRepository
from storage.models import (
    CheckCountRow,
    WarningIdentifierRow,
    WarningMarkRow,
    WarningRow,
)
from storage.networks import NetworkRepository

PENDING, PUBLISHED, FLAGGED = WarningStatus.PENDING, WarningStatus.PUBLISHED, WarningStatus.FLAGGED
MARKS = {"me_too": WarningRow.me_too, "flags": WarningRow.flags}
REPORTER = "network/reporter"  # the digest's label; NetworkRepository.digest(..., "reporter")


def reporter_digest(network_key: bytes, membership_id: str) -> bytes:
    """Her membership as a digest under the network's key: her warnings can be counted and
    cut from her, and a copy without the key cannot join it to anything."""
    return keyed_digest(network_key, REPORTER, membership_id)


def seal_reporter(network_key: bytes, warning_id: str, membership_id: str) -> bytes:
    return seal_text(network_key, membership_id, f"warnings:reporter:{warning_id}")


def open_reporter(network_key: bytes, warning_id: str, sealed: bytes) -> str:
    return unseal_text(network_key, sealed, f"warnings:reporter:{warning_id}")


def seal_check_times(member_key: bytes, member_id: str, times: Sequence[datetime]) -> bytes:
    """When she checked numbers (seconds since the epoch), sealed with her key."""
    stamps = [round(t.timestamp(), 3) for t in times]
    return seal_text(member_key, json.dumps(stamps), f"check_counts:times:{member_id}")


def open_check_times(member_key: bytes, member_id: str, sealed: bytes) -> list[datetime]:
    stamps = json.loads(unseal_text(member_key, sealed, f"check_counts:times:{member_id}"))
    return [datetime.fromtimestamp(s, UTC) for s in stamps]


class WarningRepository:
    def __init__(
        self, session: AsyncSession, networks: NetworkRepository, members: MemberRepository
    ) -> None:
        self._session = session
        self._networks = networks
        self._members = members

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
        warning_id = new_id()
        key = await self._network_key(network_id)
        row = WarningRow(
            id=warning_id,
            network_id=network_id,
            reporter_digest=reporter_digest(key, reporter_id) if reporter_id else None,
            reporter_sealed=seal_reporter(key, warning_id, reporter_id) if reporter_id else None,
            status=status,
            body_sealed=await self._seal(network_id, warning_id, body),
            me_too=0,
            flags=0,
            created_at=created_at,
            published_at=published_at,
            expires_at=expires_at,
        )
        self._session.add(row)
        await self._session.flush()  # the identifiers refer to it
        for digest in set(identifiers):
            self._session.add(WarningIdentifierRow(warning_id=warning_id, digest=digest))
        await self._session.flush()
        return await self._to_warning(row)

    async def get(self, warning_id: str) -> PeerWarning | None:
        row = await self._session.get(WarningRow, warning_id)
        return await self._to_warning(row) if row else None

    async def set_body(self, warning_id: str, body: dict[str, str]) -> None:
        row = await self._session.get(WarningRow, warning_id)
        if row is not None:
            row.body_sealed = await self._seal(row.network_id, row.id, body)
            await self._session.flush()

    async def set_status(
        self,
        warning_id: str,
        status: str,
        published_at: datetime | None = None,
        reset_flags: bool = False,
    ) -> bool:
        """Move a warning on; False when it is gone (removed, rejected or expired)."""
        values: dict[str, object] = {"status": status}
        if published_at is not None:
            values["published_at"] = published_at
        if reset_flags:
            values["flags"] = 0
        result = await self._session.execute(
            update(WarningRow).where(WarningRow.id == warning_id).values(**values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def delete(self, warning_id: str) -> bool:
        result = await self._session.execute(delete(WarningRow).where(WarningRow.id == warning_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def for_moderation(
        self, network_ids: list[str], now: datetime, limit: int
    ) -> list[PeerWarning]:
        """Warnings waiting for a coordinator (new, or flagged by a member), oldest first."""
        rows = await self._session.scalars(
            select(WarningRow)
            .where(
                WarningRow.network_id.in_(network_ids),
                WarningRow.status.in_((PENDING, FLAGGED)),
                WarningRow.expires_at > now,
            )
            .order_by(WarningRow.created_at, WarningRow.id)
            .limit(limit)
        )
        return [await self._to_warning(row) for row in rows]

    async def count_for_moderation(self, network_ids: list[str], now: datetime) -> int:
        total = await self._session.scalar(
            select(func.count())
            .select_from(WarningRow)
            .where(
                WarningRow.network_id.in_(network_ids),
                WarningRow.status.in_((PENDING, FLAGGED)),
                WarningRow.expires_at > now,
            )
        )
        return int(total or 0)

    async def matching(
        self,
        digests: list[tuple[str, bytes]],
        statuses: tuple[str, ...],
        now: datetime,
        limit: int,
    ) -> list[PeerWarning]:
        """Unexpired warnings in `statuses` carrying one of these (network, digest)
        identifiers.

        Two steps on purpose: the digest index first (a handful of rows), then those
        warnings. A join lets SQLite start from the network's warnings instead, which
        reads all of them (190 ms at 100,000; this is 0.1 ms)."""
        wanted = set(digests)
        if not wanted:
            return []
        found = await self._session.execute(
            select(WarningIdentifierRow.warning_id, WarningIdentifierRow.digest).where(
                WarningIdentifierRow.digest.in_([digest for _, digest in wanted])
            )
        )
        candidates: dict[str, set[bytes]] = {}
        for warning_id, digest in found:
            candidates.setdefault(warning_id, set()).add(digest)
        if not candidates:
            return []
        rows = await self._session.scalars(
            select(WarningRow)
            .where(
                WarningRow.id.in_(list(candidates)),
                WarningRow.status.in_(statuses),
                WarningRow.expires_at > now,
                WarningRow.published_at <= now,  # not one still waiting for its time
            )
            .order_by(WarningRow.published_at.desc(), WarningRow.id)
        )
        matches = [
            row
            for row in rows
            if any((row.network_id, digest) in wanted for digest in candidates[row.id])
        ]
        return [await self._to_warning(row) for row in matches[:limit]]

    async def mark(self, warning_id: str, mark: str, digest: bytes) -> int | None:
        """Count a member's mark once; the new count, or None when she had already marked it."""
        if await self._session.get(WarningMarkRow, (warning_id, digest)) is not None:
            return None
        self._session.add(WarningMarkRow(warning_id=warning_id, digest=digest))
        column = MARKS[mark]
        await self._session.execute(
            update(WarningRow).where(WarningRow.id == warning_id).values({column: column + 1})
        )
        await self._session.flush()
        return int(
            await self._session.scalar(select(column).where(WarningRow.id == warning_id)) or 0
        )

    async def purge(self, now: datetime) -> int:
        """Delete expired warnings with their identifiers and marks."""
        result = await self._session.execute(
            delete(WarningRow).where(WarningRow.expires_at <= now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def count_by(
        self, network_id: str, reporter_id: str, created_since: datetime | None = None
    ) -> int:
        """Her warnings in the network: those created since `created_since`, or (None) those
        published, or waiting for their time."""
        digest = reporter_digest(await self._network_key(network_id), reporter_id)
        query = (
            select(func.count())
            .select_from(WarningRow)
            .where(WarningRow.network_id == network_id, WarningRow.reporter_digest == digest)
        )
        if created_since is not None:
            query = query.where(WarningRow.created_at >= created_since)
        else:
            query = query.where(WarningRow.published_at.is_not(None))
        return int(await self._session.scalar(query) or 0)

    async def published_since(self, network_id: str, since: datetime) -> list[datetime]:
        """When the network's warnings published since `since` went out, or will."""
        times = await self._session.scalars(
            select(WarningRow.published_at)
            .where(WarningRow.network_id == network_id, WarningRow.published_at >= since)
            .order_by(WarningRow.published_at)
        )
        return [t for t in times if t is not None]

    async def check_times(self, member_id: str) -> list[datetime]:
        """When she checked numbers, as far back as kept (the last hour or so)."""
        row = await self._session.get(CheckCountRow, member_id)
        key = await self._members.key_for(member_id)
        if row is None or key is None:
            return []
        return open_check_times(key, member_id, row.times_sealed)

    async def set_check_times(self, member_id: str, times: Sequence[datetime]) -> None:
        key = await self._members.key_for(member_id)
        if key is None:
            return
        sealed = seal_check_times(key, member_id, times)
        row = await self._session.get(CheckCountRow, member_id)
        if row is None:
            self._session.add(CheckCountRow(member_id=member_id, times_sealed=sealed))
        else:
            row.times_sealed = sealed
        await self._session.flush()

    async def _network_key(self, network_id: str) -> bytes:
        key = await self._networks.key_for(network_id)
        assert key is not None
        return key

    async def _seal(self, network_id: str, warning_id: str, body: dict[str, str]) -> bytes:
        key = await self._network_key(network_id)
        return seal_text(key, json.dumps(body), f"warnings:body:{warning_id}")

    async def _to_warning(self, row: WarningRow) -> PeerWarning:
        key = await self._network_key(row.network_id)
        body = json.loads(unseal_text(key, row.body_sealed, f"warnings:body:{row.id}"))
        sealed = row.reporter_sealed
        return PeerWarning(
            row.id,
            row.network_id,
            open_reporter(key, row.id, sealed) if sealed is not None else None,
            WarningStatus(row.status),
            body,
            row.me_too,
            row.flags,
            row.created_at,
            row.published_at,
            row.expires_at,
        )
