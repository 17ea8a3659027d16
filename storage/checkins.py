"""Check-in rows: details and location sealed with a key of their own, wrapped by hers; the
alarm kind, wrong PINs and who acknowledged sealed with hers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.records import HIDDEN_ALARMS, Alarm, CheckIn, Location, Stage, Status
from storage import wakeups
from storage.crypto import new_key, seal, seal_text, unseal, unseal_text
from storage.members import MemberRepository
from storage.models import CheckInRow, ContactRow, table_of

OPEN_STATUSES = ("active", "alerted")
_Query = TypeVar("_Query", bound=Select[Any])
# Every check-in's state seals to the same length: a copy cannot tell a duress alarm from
# an SOS, or from none, by the size of the value.
STATE_BYTES = 576  # room for a drill's answers and their times
MAX_DRILL_ACKS = 8  # who answered a drill: enough for a report, within STATE_BYTES
_CHECKINS = table_of(CheckInRow)
_COLUMNS = tuple(c.key for c in _CHECKINS.columns)
_ADD = insert(_CHECKINS)
_ADD_PG = _ADD.returning(func.pg_notify(wakeups.TIMERS, ""))  # the schedulers look at the commit


class CheckInRepository:
    def __init__(
        self, session: AsyncSession, members: MemberRepository, is_postgres: bool
    ) -> None:
        self._session = session
        self._members = members
        self._is_postgres = is_postgres
        self.changed = False  # a timer was added or moved: other replicas should look
        self.notified = False  # ... and they were told so already, by the statement itself

    async def add(self, checkin: CheckIn) -> None:
        member_key = await self._members.key_for(checkin.member_id)
        assert member_key is not None
        key = new_key()
        row = CheckInRow(
            id=checkin.id,
            member_id=checkin.member_id,
            key_wrapped=seal(member_key, key, f"checkins:key:{checkin.id}"),
        )
        self._copy(checkin, row, member_key)
        self._seal_details(checkin, row, key)
        # A Core insert of a statement built once: no unit-of-work flush for one new row.
        await self._session.execute(
            _ADD_PG if self._is_postgres else _ADD, {c: getattr(row, c) for c in _COLUMNS}
        )
        self.changed = True
        self.notified = self.notified or self._is_postgres

    async def save(self, checkin: CheckIn) -> None:
        """Write the check-in's state; details are sealed again, or dropped when None."""
        row = await self._session.get(CheckInRow, checkin.id)
        if row is None:
            return
        timer = row.next_action_at
        member_key = await self._members.key_for(row.member_id)
        if member_key is None:
            return
        self._copy(checkin, row, member_key)
        key = await self._checkin_key(row)
        if key is None:
            row.details_sealed = row.location_sealed = row.notes_sealed = None
        else:
            self._seal_details(checkin, row, key)
        await self._session.flush()
        self.changed = self.changed or row.next_action_at != timer

    async def erase_details(self, checkin_id: str) -> None:
        """Destroy the check-in's own key with the details, location and partners' notes it
        sealed."""
        row = await self._session.get(CheckInRow, checkin_id)
        if row is not None:
            row.key_wrapped = row.details_sealed = row.location_sealed = None
            row.notes_sealed = None
            await self._session.flush()

    async def get(self, checkin_id: str) -> CheckIn | None:
        row = await self._session.get(
            CheckInRow, checkin_id, with_for_update=self._is_postgres or None
        )
        return await self._to_checkin(row) if row else None

    async def set_location(self, checkin_id: str, location: Location) -> None:
        """Replace only the sealed point: a live location moves often, and must never write
        back a status or a next action that the scheduler changed meanwhile."""
        row = await self._session.get(CheckInRow, checkin_id)
        key = await self._checkin_key(row) if row is not None else None
        if row is None or key is None:
            return
        row.location_sealed = seal_text(
            key, _dump_location(location), f"checkins:location:{row.id}"
        )
        await self._session.flush()

    async def open_for(self, member_id: str) -> CheckIn | None:
        """Her running check-in (active, or alerted and not yet ended), if any. A code word
        or duress alarm is not one: to her, and to anyone beside her, nothing is running.
        The alarm kind is sealed, so her few open rows are read and opened here."""
        query = (
            select(CheckInRow)
            .where(CheckInRow.member_id == member_id, CheckInRow.status.in_(OPEN_STATUSES))
            .order_by(CheckInRow.started_at.desc())
        )
        for row in (await self._session.scalars(self._locked(query))).all():
            member_key = await self._members.key_for(row.member_id)
            if member_key is not None and _open_state(member_key, row)[0] in HIDDEN_ALARMS:
                continue
            return await self._to_checkin(row)
        return None

    async def all_open_for(self, member_id: str) -> list[CheckIn]:
        """Every check-in of hers that is not over, a duress alarm included."""
        query = select(CheckInRow).where(
            CheckInRow.member_id == member_id, CheckInRow.status.in_(OPEN_STATUSES)
        )
        rows = await self._session.scalars(self._locked(query))
        return [await self._to_checkin(row) for row in rows.all()]

    def _locked(self, query: _Query) -> _Query:
        """On PostgreSQL a check-in read to be changed is locked until the commit, so that
        a handler and the scheduler (which skips locked rows) never overwrite each other;
        SQLite's writer transactions are serial already."""
        return query.with_for_update() if self._is_postgres else query

    async def claim_due(self, now: datetime, limit: int) -> list[CheckIn]:
        """Rows whose next action is due, locked (SKIP LOCKED on PostgreSQL)."""
        query = (
            select(CheckInRow)
            .where(CheckInRow.next_action_at <= now)
            .order_by(CheckInRow.next_action_at)
            .limit(limit)
        )
        if self._is_postgres:
            query = query.with_for_update(skip_locked=True)
        rows: Sequence[CheckInRow] = (await self._session.scalars(query)).all()
        return [await self._to_checkin(row) for row in rows]

    async def earliest_action(self) -> datetime | None:
        return await self._session.scalar(select(func.min(CheckInRow.next_action_at)))

    async def delete(self, checkin_id: str) -> None:
        await self._session.execute(delete(CheckInRow).where(CheckInRow.id == checkin_id))

    async def purge(self, details_before: datetime, rows_before: datetime) -> int:
        """What the scheduler deletes on time, for `companera purge`: details (and their key)
        of check-ins alerted before `details_before`, rows ended before `rows_before`."""
        expired = await self._session.execute(
            update(CheckInRow)
            .where(
                CheckInRow.alerted_at < details_before,
                CheckInRow.key_wrapped.is_not(None),
            )
            .values(
                key_wrapped=None, details_sealed=None, location_sealed=None, notes_sealed=None
            )
        )
        ended = await self._session.execute(
            delete(CheckInRow).where(CheckInRow.ended_at < rows_before)
        )
        return int(expired.rowcount or 0) + int(ended.rowcount or 0)  # type: ignore[attr-defined]

    async def count_open(self) -> int:
        total = await self._session.scalar(
            select(func.count())
            .select_from(CheckInRow)
            .where(CheckInRow.status.in_(OPEN_STATUSES))
        )
        return int(total or 0)

    @staticmethod
    def _copy(checkin: CheckIn, row: CheckInRow, member_key: bytes) -> None:
        row.status = checkin.status
        row.stage = checkin.stage
        row.started_at = checkin.started_at
        row.deadline_at = checkin.deadline_at
        row.next_action_at = checkin.next_action_at
        row.alerted_at = checkin.alerted_at
        row.alerts_sent = checkin.alerts_sent
        row.ended_at = checkin.ended_at
        row.state_sealed = seal_state(
            member_key,
            row.id,
            checkin.alarm,
            checkin.pin_tries,
            checkin.acknowledged_by,
            drill=(checkin.drill, checkin.drill_private, checkin.drill_acks),
            acked_at=checkin.drill_acked_at,
        )

    @staticmethod
    def _seal_details(checkin: CheckIn, row: CheckInRow, key: bytes | None) -> None:
        if key is None:
            return
        row.details_sealed = (
            seal_text(key, checkin.details, f"checkins:details:{row.id}")
            if checkin.details
            else None
        )
        row.location_sealed = (
            seal_text(key, _dump_location(checkin.location), f"checkins:location:{row.id}")
            if checkin.location
            else None
        )

    async def _checkin_key(self, row: CheckInRow) -> bytes | None:
        if row.key_wrapped is None:
            return None
        member_key = await self._members.key_for(row.member_id)
        if member_key is None:
            return None
        return unseal(member_key, row.key_wrapped, f"checkins:key:{row.id}")

    async def _to_checkin(self, row: CheckInRow) -> CheckIn:
        member_key = await self._members.key_for(row.member_id)
        alarm, pin_tries, acknowledged_by = (
            _open_state(member_key, row) if member_key is not None else (None, 0, None)
        )
        drill, drill_private, drill_acks, drill_acked_at = (
            open_drill_answers(member_key, row.id, row.state_sealed)
            if member_key is not None
            else (None, False, (), ())
        )
        if acknowledged_by is not None and not await self._contact_exists(acknowledged_by):
            acknowledged_by = None  # that contact was removed: nobody is on it any more
        key = await self._checkin_key(row)
        details = location = None
        if key is not None and row.details_sealed:
            details = unseal_text(key, row.details_sealed, f"checkins:details:{row.id}")
        if key is not None and row.location_sealed:
            location = _load_location(
                unseal_text(key, row.location_sealed, f"checkins:location:{row.id}")
            )
        return CheckIn(
            id=row.id,
            member_id=row.member_id,
            status=Status(row.status),
            stage=Stage(row.stage),
            started_at=row.started_at,
            deadline_at=row.deadline_at,
            next_action_at=row.next_action_at,
            alerted_at=row.alerted_at,
            alerts_sent=row.alerts_sent,
            acknowledged_by=acknowledged_by,
            ended_at=row.ended_at,
            details=details,
            location=location,
            alarm=alarm,
            pin_tries=pin_tries,
            drill=drill,
            drill_private=drill_private,
            drill_acks=drill_acks,
            drill_acked_at=drill_acked_at,
        )

    async def _contact_exists(self, contact_id: str) -> bool:
        found = await self._session.scalar(
            select(ContactRow.id).where(ContactRow.id == contact_id)
        )
        return found is not None


def seal_state(
    member_key: bytes,
    checkin_id: str,
    alarm: str | None,
    pin_tries: int,
    acknowledged_by: str | None,
    drill: tuple[str | None, bool, tuple[str, ...]] = (None, False, ()),
    acked_at: Sequence[datetime] = (),
) -> bytes:
    """The alarm kind, wrong PINs so far and the contact row that acknowledged, sealed with
    her key (they outlive the check-in's own key) and padded to `STATE_BYTES`; and for a
    drill (/simulacro), the alarm rehearsed, whether it is hers alone, who answered and when
    (whole seconds since the epoch).
    A drill's state seals to the same length: a copy cannot tell a drill by its size."""
    fields: dict[str, object] = {"alarm": alarm, "tries": pin_tries, "ack": acknowledged_by}
    rehearsed, private, acks = drill
    if rehearsed:
        fields["drill"] = {
            "alarm": rehearsed,
            "private": private,
            "acks": acks[:MAX_DRILL_ACKS],
            "at": [int(at.timestamp()) for at in acked_at[:MAX_DRILL_ACKS]],
        }
    state = json.dumps(fields, separators=(",", ":"))
    return seal_text(member_key, state.ljust(STATE_BYTES), f"checkins:state:{checkin_id}")


def open_state(
    member_key: bytes, checkin_id: str, sealed: bytes | None
) -> tuple[Alarm | None, int, str | None]:
    """What `seal_state` sealed: (alarm kind, wrong PINs, acknowledging contact row)."""
    if sealed is None:
        return None, 0, None
    state = json.loads(unseal_text(member_key, sealed, f"checkins:state:{checkin_id}"))
    alarm = state.get("alarm")
    return (Alarm(alarm) if alarm else None), int(state.get("tries") or 0), state.get("ack")


def open_drill(
    member_key: bytes, checkin_id: str, sealed: bytes | None
) -> tuple[Alarm | None, bool, tuple[str, ...]]:
    """The drill `seal_state` sealed: (alarm rehearsed or None, hers alone, who answered)."""
    rehearsed, private, acks, _ = open_drill_answers(member_key, checkin_id, sealed)
    return rehearsed, private, acks


def open_drill_answers(
    member_key: bytes, checkin_id: str, sealed: bytes | None
) -> tuple[Alarm | None, bool, tuple[str, ...], tuple[datetime, ...]]:
    """`open_drill`, and when each of those who answered did."""
    if sealed is None:
        return None, False, (), ()
    state = json.loads(unseal_text(member_key, sealed, f"checkins:state:{checkin_id}"))
    drill = state.get("drill") or {}
    if not drill.get("alarm"):
        return None, False, (), ()
    times = tuple(datetime.fromtimestamp(int(at), UTC) for at in drill.get("at") or ())
    return (
        Alarm(drill["alarm"]),
        bool(drill.get("private")),
        tuple(drill.get("acks") or ()),
        times,
    )


def _open_state(member_key: bytes, row: CheckInRow) -> tuple[Alarm | None, int, str | None]:
    return open_state(member_key, row.id, row.state_sealed)


def _dump_location(location: Location) -> str:
    point: list[float | str] = [location.latitude, location.longitude]
    if location.at is not None:
        point.append(location.at.isoformat())
    return json.dumps(point)


def _load_location(text: str) -> Location:
    """[lat, lon] or [lat, lon, received at]."""
    point = json.loads(text)
    at = datetime.fromisoformat(point[2]) if len(point) > 2 else None
    return Location(float(point[0]), float(point[1]), at)
