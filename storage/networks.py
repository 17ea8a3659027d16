"""Peer networks: the network (name and configuration sealed with its own key), its
memberships, the areas each member follows (as digests), single-use passes and vouches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.records import (
    Membership,
    MembershipStatus,
    Network,
    NetworkPass,
    PassKind,
    Role,
    new_id,
)
from storage.crypto import Keyring, keyed_digest, new_key, seal_text, unseal_text
from storage.models import (
    AreaSubscriptionRow,
    MembershipRow,
    NetworkPassRow,
    NetworkRow,
    VouchRow,
    WarningRow,
)

NETWORK_NAME = "network-name"
NETWORK_PASS = "network-pass"
ACTIVE = MembershipStatus.ACTIVE


class NetworkRepository:
    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        self._session = session
        self._keyring = keyring
        self._keys: dict[str, bytes] = {}

    # The network itself

    async def add(self, name: str, config: str, now: datetime) -> Network:
        network_id = new_id()
        key = self._keys[network_id] = new_key()
        self._session.add(
            NetworkRow(
                id=network_id,
                name_index=self._name_index(name),
                key_wrapped=self._keyring.wrap(key, f"network:{network_id}"),
                name_sealed=seal_text(key, name, f"networks:name:{network_id}"),
                config_sealed=seal_text(key, config, f"networks:config:{network_id}"),
                created_at=now,
            )
        )
        await self._session.flush()
        return Network(network_id, name, config, now)

    async def get(self, network_id: str) -> Network | None:
        row = await self._session.get(NetworkRow, network_id)
        return self._to_network(row) if row else None

    async def find_by_name(self, name: str) -> Network | None:
        row = await self._session.scalar(
            select(NetworkRow).where(NetworkRow.name_index == self._name_index(name))
        )
        return self._to_network(row) if row else None

    async def all(self) -> list[Network]:
        rows = await self._session.scalars(select(NetworkRow).order_by(NetworkRow.created_at))
        return [self._to_network(row) for row in rows]

    async def set_config(self, network_id: str, config: str) -> None:
        row = await self._session.get(NetworkRow, network_id)
        if row is not None:
            key = self._key_for_row(row)
            row.config_sealed = seal_text(key, config, f"networks:config:{network_id}")
            await self._session.flush()

    async def key_for(self, network_id: str) -> bytes | None:
        if network_id in self._keys:
            return self._keys[network_id]
        row = await self._session.get(NetworkRow, network_id)
        return self._key_for_row(row) if row else None

    async def digest(self, network_id: str, label: str, value: str) -> bytes:
        """A keyed digest under the network's key: an area, a phone number, a plate, a
        member who vouched or marked a warning. Useless without the master key."""
        key = await self.key_for(network_id)
        assert key is not None
        return keyed_digest(key, f"network/{label}", value)

    def _key_for_row(self, row: NetworkRow) -> bytes:
        key = self._keys.get(row.id)
        if key is None:
            key = self._keys[row.id] = self._keyring.unwrap(row.key_wrapped, f"network:{row.id}")
        return key

    def _name_index(self, name: str) -> bytes:
        return self._keyring.blind_index(NETWORK_NAME, " ".join(name.casefold().split()))

    def _to_network(self, row: NetworkRow) -> Network:
        key = self._key_for_row(row)
        return Network(
            row.id,
            unseal_text(key, row.name_sealed, f"networks:name:{row.id}"),
            unseal_text(key, row.config_sealed, f"networks:config:{row.id}"),
            row.created_at,
        )

    # Memberships

    async def join(
        self, network_id: str, member_id: str, role: str, status: str, now: datetime
    ) -> Membership:
        row = MembershipRow(
            id=new_id(),
            network_id=network_id,
            member_id=member_id,
            role=role,
            status=status,
            trusted=False,
            joined_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _to_membership(row)

    async def membership(self, network_id: str, member_id: str) -> Membership | None:
        row = await self._session.scalar(
            select(MembershipRow).where(
                MembershipRow.network_id == network_id, MembershipRow.member_id == member_id
            )
        )
        return _to_membership(row) if row else None

    async def membership_by_id(self, membership_id: str) -> Membership | None:
        row = await self._session.get(MembershipRow, membership_id)
        return _to_membership(row) if row else None

    async def memberships_of(self, member_id: str) -> list[Membership]:
        """Her active memberships, oldest first."""
        rows = await self._session.scalars(
            select(MembershipRow)
            .where(MembershipRow.member_id == member_id, MembershipRow.status == ACTIVE)
            .order_by(MembershipRow.joined_at, MembershipRow.id)
        )
        return [_to_membership(row) for row in rows]

    async def members_of(self, network_id: str, offset: int, limit: int) -> list[Membership]:
        """A page of a network's active members, oldest first."""
        rows = await self._session.scalars(
            select(MembershipRow)
            .where(MembershipRow.network_id == network_id, MembershipRow.status == ACTIVE)
            .order_by(MembershipRow.joined_at, MembershipRow.id)
            .offset(offset)
            .limit(limit)
        )
        return [_to_membership(row) for row in rows]

    async def coordinators_of(self, network_id: str) -> list[Membership]:
        rows = await self._session.scalars(
            select(MembershipRow).where(
                MembershipRow.network_id == network_id,
                MembershipRow.role == Role.COORDINATOR,
                MembershipRow.status == ACTIVE,
            )
        )
        return [_to_membership(row) for row in rows]

    async def count_members(self, network_id: str) -> int:
        total = await self._session.scalar(
            select(func.count())
            .select_from(MembershipRow)
            .where(MembershipRow.network_id == network_id, MembershipRow.status == ACTIVE)
        )
        return int(total or 0)

    async def update_membership(
        self,
        membership_id: str,
        *,
        role: str | None = None,
        status: str | None = None,
        trusted: bool | None = None,
    ) -> None:
        values: dict[str, object] = {}
        if role is not None:
            values["role"] = role
        if status is not None:
            values["status"] = status
        if trusted is not None:
            values["trusted"] = trusted
        await self._session.execute(
            update(MembershipRow).where(MembershipRow.id == membership_id).values(**values)
        )

    async def leave(self, membership_id: str) -> None:
        """Delete the membership; her areas and vouches go with it, her warnings stay, cut
        from her (their digest and sealed link of her are erased)."""
        row = await self._session.get(MembershipRow, membership_id)
        if row is None:
            return
        digest = await self.digest(row.network_id, "reporter", membership_id)
        await self._session.execute(
            update(WarningRow)
            .where(WarningRow.network_id == row.network_id, WarningRow.reporter_digest == digest)
            .values(reporter_digest=None, reporter_sealed=None)
        )
        await self._session.execute(delete(MembershipRow).where(MembershipRow.id == membership_id))

    # Areas

    async def areas_of(self, membership_id: str) -> set[bytes]:
        digests = await self._session.scalars(
            select(AreaSubscriptionRow.area_digest).where(
                AreaSubscriptionRow.membership_id == membership_id
            )
        )
        return set(digests)

    async def follow(self, membership_id: str, area_digest: bytes) -> None:
        if area_digest not in await self.areas_of(membership_id):
            self._session.add(
                AreaSubscriptionRow(membership_id=membership_id, area_digest=area_digest)
            )
            await self._session.flush()

    async def unfollow(self, membership_id: str, area_digest: bytes) -> None:
        await self._session.execute(
            delete(AreaSubscriptionRow).where(
                AreaSubscriptionRow.membership_id == membership_id,
                AreaSubscriptionRow.area_digest == area_digest,
            )
        )

    async def followers(self, network_id: str, area_digest: bytes) -> list[Membership]:
        """The active members who follow an area: the recipients of its warnings."""
        rows = await self._session.scalars(
            select(MembershipRow)
            .join(AreaSubscriptionRow, AreaSubscriptionRow.membership_id == MembershipRow.id)
            .where(
                MembershipRow.network_id == network_id,
                MembershipRow.status == ACTIVE,
                AreaSubscriptionRow.area_digest == area_digest,
            )
            .order_by(MembershipRow.id)
        )
        return [_to_membership(row) for row in rows]

    # Passes and vouches

    async def add_pass(
        self,
        network_id: str,
        code: str,
        kind: str,
        expires_at: datetime,
        issuer_id: str | None = None,
        candidate_id: str | None = None,
    ) -> NetworkPass:
        row = NetworkPassRow(
            id=new_id(),
            network_id=network_id,
            code_index=self._keyring.blind_index(NETWORK_PASS, code),
            kind=kind,
            issuer_id=issuer_id,
            candidate_id=candidate_id,
            expires_at=expires_at,
            used_at=None,
        )
        self._session.add(row)
        await self._session.flush()
        return _to_pass(row)

    async def find_pass(self, code: str) -> NetworkPass | None:
        row = await self._session.scalar(
            select(NetworkPassRow).where(
                NetworkPassRow.code_index == self._keyring.blind_index(NETWORK_PASS, code)
            )
        )
        return _to_pass(row) if row else None

    async def use_pass(self, pass_id: str, now: datetime) -> bool:
        """Mark a pass used; False when someone else used it first."""
        result = await self._session.execute(
            update(NetworkPassRow)
            .where(NetworkPassRow.id == pass_id, NetworkPassRow.used_at.is_(None))
            .values(used_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def vouch(self, candidate_id: str, voucher_digest: bytes) -> int | None:
        """Count a vouch once per voucher; the candidate's vouches, or None if already given."""
        exists = await self._session.get(VouchRow, (candidate_id, voucher_digest))
        if exists is not None:
            return None
        self._session.add(VouchRow(candidate_id=candidate_id, voucher_digest=voucher_digest))
        await self._session.flush()
        total = await self._session.scalar(
            select(func.count()).select_from(VouchRow).where(VouchRow.candidate_id == candidate_id)
        )
        return int(total or 0)

    async def purge(self, now: datetime, candidates_before: datetime) -> int:
        """Delete used and expired passes, and candidates nobody vouched for in time."""
        passes = await self._session.execute(
            delete(NetworkPassRow).where(
                NetworkPassRow.used_at.is_not(None) | (NetworkPassRow.expires_at <= now)
            )
        )
        candidates = await self._session.execute(
            delete(MembershipRow).where(
                MembershipRow.status == MembershipStatus.CANDIDATE,
                MembershipRow.joined_at <= candidates_before,
            )
        )
        return int(passes.rowcount or 0) + int(candidates.rowcount or 0)  # type: ignore[attr-defined]


def _to_membership(row: MembershipRow) -> Membership:
    return Membership(
        row.id,
        row.network_id,
        row.member_id,
        Role(row.role),
        MembershipStatus(row.status),
        bool(row.trusted),
        row.joined_at,
    )


def _to_pass(row: NetworkPassRow) -> NetworkPass:
    return NetworkPass(
        row.id,
        row.network_id,
        PassKind(row.kind),
        row.issuer_id,
        row.candidate_id,
        row.expires_at,
        row.used_at,
    )
