"""Support cases (/apoyo): the kind, who asked, who took it and every message sealed with
the network's key; who asked and who took it also as keyed digests under that key."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.records import CaseMessage, CaseStatus, SupportCase, new_id
from storage.crypto import keyed_digest, seal_text, unseal_text
from storage.models import SupportCaseRow
from storage.networks import NetworkRepository

ASKED_BY, TAKEN_BY = "network/case-member", "network/case-support"


class SupportRepository:
    def __init__(self, session: AsyncSession, networks: NetworkRepository) -> None:
        self._session = session
        self._networks = networks

    async def _key(self, network_id: str) -> bytes:
        key = await self._networks.key_for(network_id)
        if key is None:
            raise LookupError("no such network")
        return key

    async def add(
        self,
        network_id: str,
        member_id: str,
        kind: str,
        text: str,
        now: datetime,
        remind_at: datetime | None,
    ) -> SupportCase:
        case = SupportCase(
            new_id(),
            network_id,
            member_id,
            None,
            CaseStatus.OPEN,
            kind,
            (CaseMessage("member", text, now),),
            now,
            remind_at,
        )
        key = await self._key(network_id)
        row = SupportCaseRow(
            id=case.id,
            network_id=network_id,
            member_digest=keyed_digest(key, ASKED_BY, member_id),
            coordinator_digest=None,
            status=str(case.status),
            body_sealed=_seal(key, case),
            created_at=now,
            remind_at=remind_at,
            expires_at=None,
        )
        self._session.add(row)
        await self._session.flush()
        return case

    async def get(self, case_id: str) -> SupportCase | None:
        row = await self._session.get(SupportCaseRow, case_id)
        return await self._to_case(row) if row else None

    async def save(self, case: SupportCase) -> None:
        """Write its status, times, who took it and its messages."""
        row = await self._session.get(SupportCaseRow, case.id)
        if row is None:
            return
        key = await self._key(row.network_id)
        row.status = str(case.status)
        row.coordinator_digest = (
            keyed_digest(key, TAKEN_BY, case.coordinator_id) if case.coordinator_id else None
        )
        row.body_sealed = _seal(key, case)
        row.remind_at = case.remind_at
        row.expires_at = case.expires_at
        await self._session.flush()

    async def delete(self, case_id: str) -> bool:
        result: Any = await self._session.execute(
            delete(SupportCaseRow).where(SupportCaseRow.id == case_id)
        )
        return bool(result.rowcount)

    async def of_networks(self, network_ids: Sequence[str]) -> list[SupportCase]:
        """Every case not closed of these networks, oldest first."""
        rows = await self._session.scalars(
            select(SupportCaseRow)
            .where(
                SupportCaseRow.network_id.in_(list(network_ids)),
                SupportCaseRow.status != str(CaseStatus.CLOSED),
            )
            .order_by(SupportCaseRow.created_at, SupportCaseRow.id)
        )
        return [await self._to_case(row) for row in rows]

    async def of_member(self, member_id: str) -> list[SupportCase]:
        """Her cases in every network, closed ones too, oldest first."""
        return await self._by_digest(member_id, ASKED_BY, SupportCaseRow.member_digest)

    async def taken_by(self, member_id: str) -> list[SupportCase]:
        """The cases a coordinator took, in every network."""
        return await self._by_digest(member_id, TAKEN_BY, SupportCaseRow.coordinator_digest)

    async def _by_digest(self, member_id: str, label: str, column: Any) -> list[SupportCase]:
        found: list[SupportCase] = []
        for network in await self._networks.all():
            digest = keyed_digest(await self._key(network.id), label, member_id)
            rows = await self._session.scalars(
                select(SupportCaseRow)
                .where(SupportCaseRow.network_id == network.id, column == digest)
                .order_by(SupportCaseRow.created_at, SupportCaseRow.id)
            )
            found.extend([await self._to_case(row) for row in rows])
        return found

    async def due_reminders(self, now: datetime, limit: int) -> list[SupportCase]:
        rows = await self._session.scalars(
            select(SupportCaseRow)
            .where(SupportCaseRow.remind_at <= now)
            .order_by(SupportCaseRow.remind_at)
            .limit(limit)
        )
        return [await self._to_case(row) for row in rows]

    async def purge(self, now: datetime) -> int:
        """Closed cases past their network's retention."""
        result: Any = await self._session.execute(
            delete(SupportCaseRow).where(SupportCaseRow.expires_at <= now)
        )
        return int(result.rowcount or 0)

    async def _to_case(self, row: SupportCaseRow) -> SupportCase:
        key = await self._key(row.network_id)
        body = json.loads(unseal_text(key, row.body_sealed, f"support_cases:body:{row.id}"))
        return SupportCase(
            row.id,
            row.network_id,
            str(body["member"]),
            str(body["coordinator"]) or None,
            CaseStatus(row.status),
            str(body["kind"]),
            tuple(
                CaseMessage(str(m["by"]), str(m["text"]), datetime.fromisoformat(m["at"]))
                for m in body["messages"]
            ),
            row.created_at,
            row.remind_at,
            row.expires_at,
        )


def _seal(key: bytes, case: SupportCase) -> bytes:
    body = {
        "member": case.member_id,
        "coordinator": case.coordinator_id or "",
        "kind": case.kind,
        "messages": [{"by": m.by, "text": m.text, "at": m.at.isoformat()} for m in case.messages],
    }
    return seal_text(key, json.dumps(body), f"support_cases:body:{case.id}")
