"""The engine, the unit of work, and the installation's keys."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, inspect, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from storage import wakeups
from storage.checkins import CheckInRepository
from storage.contacts import ContactRepository, InviteRepository
from storage.crypto import CryptoError, Keyring, RowTokens, new_key
from storage.members import MemberRepository
from storage.models import SystemKey
from storage.networks import NetworkRepository
from storage.notes import PartnerNoteRepository
from storage.outbox import OutboxRepository, Sequencer
from storage.pace import SendBudget
from storage.private_record import PrivateRecordRepository
from storage.safety import SafetyRepository
from storage.shifts import ShiftRepository
from storage.support import SupportRepository
from storage.updates import UpdateRepository
from storage.warnings import WarningRepository

if TYPE_CHECKING:
    from bot.core import ports

log = logging.getLogger("companera.storage")
INDEX_KEY = "index"
ERASED = "companera.erased"  # in Session.info: this transaction deleted rows or dropped a key
TRUNCATE_WAIT_MS = 2000  # how long emptying the log waits for a reader before trying later


class WrongKeyError(Exception):
    """The master key does not open this database."""


def make_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and writer transactions that wait."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        _tune_sqlite(engine)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=5)


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let "begin" below open the transaction
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Deleted rows and freed pages are overwritten with zeros, in the file and in the
        # log; a log emptied by a checkpoint is cut back to nothing (see Journal).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA journal_size_limit=0")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        # A deferred transaction that later writes can fail with "database is locked"
        # without waiting; an immediate one waits for the writer lock instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class ErasingSession(Session):
    """A session that notes in its `info` when its transaction deletes rows or drops a
    wrapped key, so that the commit can empty SQLite's log of what they held."""


@event.listens_for(ErasingSession, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if state.is_delete:
        state.session.info[ERASED] = True


@event.listens_for(ErasingSession, "before_flush")
def _on_flush(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    if session.deleted or any(_drops_a_key(row) for row in session.dirty):
        session.info[ERASED] = True


def _drops_a_key(row: object) -> bool:
    attributes = inspect(row).attrs
    return "key_wrapped" in attributes.keys() and None in attributes.key_wrapped.history.added


class Journal:
    """SQLite's write-ahead log. After a transaction that deleted rows or dropped a key, the
    log still holds earlier copies of their pages, which open with the master key: a
    checkpoint copies it into the database file (where secure_delete zeroed what went) and
    cuts it to nothing. A reader in the middle of a transaction holds that back; then it is
    `pending`, and the next commit (at the latest, the hourly housekeeping's) tries again.
    PostgreSQL keeps no such log of ours: nothing to do."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.pending = False
        self.wait_ms = TRUNCATE_WAIT_MS

    async def truncate(self) -> bool:
        """Empty the log into the database file; False if a reader held it back, or the
        database failed (what was committed stays committed: this never raises)."""
        if not self.sqlite:
            return True
        try:
            async with self._engine.connect() as connection:
                driver = (await connection.get_raw_connection()).driver_connection
                assert driver is not None  # aiosqlite's connection, outside any transaction
                await driver.execute(f"PRAGMA busy_timeout={int(self.wait_ms)}")
                try:
                    async with driver.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
                        busy, _frames, _copied = await cursor.fetchone()
                finally:
                    await driver.execute("PRAGMA busy_timeout=30000")
        except Exception as error:  # tried again at the next commit
            log.warning("journal.not_emptied", extra={"error": type(error).__name__})
            busy = 1
        self.pending = bool(busy)
        return not self.pending


class Database:
    """One per process: the engine and the keyring."""

    def __init__(self, engine: AsyncEngine, keyring: Keyring) -> None:
        self.engine = engine
        self.keyring = keyring
        self.tokens = RowTokens(keyring)
        self.journal = Journal(engine)
        self._sessions = async_sessionmaker(
            engine, expire_on_commit=False, autoflush=False, sync_session_class=ErasingSession
        )
        self.sequencer = Sequencer()

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def open(self) -> None:
        """Load the index root key, creating it on first start; refuse a wrong master key."""
        async with self._sessions.begin() as session:
            row = await session.get(SystemKey, INDEX_KEY)
            if row is None:
                row = SystemKey(
                    name=INDEX_KEY,
                    wrapped=self.keyring.wrap(new_key(), "system:index"),
                    created_at=datetime.now(UTC),
                )
                session.add(row)
            try:
                self.keyring.load_index_root(row.wrapped)
            except CryptoError:
                raise WrongKeyError("the master key does not open this database") from None

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(
            self._sessions(), self.keyring, self.is_postgres, self.sequencer, self.journal
        )

    async def ping(self) -> None:
        """Raises unless the database answers."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()


class UnitOfWork:
    """One transaction and the repositories that work in it. Nothing commits but `commit()`."""

    def __init__(
        self,
        session: AsyncSession,
        keyring: Keyring,
        is_postgres: bool,
        sequencer: Sequencer,
        journal: Journal | None = None,
    ) -> None:
        self.session = session
        self.is_postgres = is_postgres
        self.journal = journal
        self.members = MemberRepository(session, keyring)
        self.invites = InviteRepository(session, keyring, self.members)
        self.contacts = ContactRepository(session, self.members)
        self.checkins = CheckInRepository(session, self.members, is_postgres)
        self.outbox = OutboxRepository(session, self.members, is_postgres, sequencer)
        self.send_budget = SendBudget(session)
        self.updates = UpdateRepository(session, is_postgres)
        self.safety = SafetyRepository(session, self.members)
        self.networks = NetworkRepository(session, keyring)
        self.warnings = WarningRepository(session, self.networks, self.members)
        self.shifts = ShiftRepository(session, self.members)
        self.private_record = PrivateRecordRepository(session, self.members)
        self.support = SupportRepository(session, self.networks)
        self.notes = PartnerNoteRepository(session, self.members)

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.session.info.pop(ERASED, None)
        await self.session.rollback()
        await self.session.close()

    async def commit(self) -> None:
        """Commit; on PostgreSQL, other replicas hear of new timers and messages with it."""
        if self.is_postgres:
            # A statement that added rows may have notified already (RETURNING pg_notify).
            notify = wakeups.notify(
                wakeups.channels(
                    self.checkins.changed and not self.checkins.notified,
                    self.outbox.changed and not self.outbox.notified,
                )
            )
            if notify is not None:
                await self.session.execute(notify)
        erased = self.session.info.pop(ERASED, False)
        await self.session.commit()
        self.checkins.notified = self.outbox.notified = False
        if self.journal is not None and (erased or self.journal.pending):
            await self.journal.truncate()

    async def rollback(self) -> None:
        """Forget everything done since the last commit; the unit of work can be used again."""
        self.session.info.pop(ERASED, None)
        await self.session.rollback()
        self.checkins.notified = self.outbox.notified = False


# PostgreSQL's codes for "try again": a lock or statement timeout, a serialization failure,
# a deadlock, the server shutting down or out of connections.
_TRANSIENT_STATES = {"55P03", "57014", "40001", "40P01", "57P01", "57P02", "57P03", "53300"}


def is_transient(error: BaseException) -> bool:
    """Whether an error means the database is away or busy (worth trying again), rather
    than a mistake of ours."""
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        state = str(getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", ""))
        if state in _TRANSIENT_STATES or state.startswith("08"):  # 08: connection exceptions
            return True
    transient = OperationalError | InterfaceError | PoolTimeout | OSError | TimeoutError
    return isinstance(error, transient)


def _implements_the_ports(db: Database) -> ports.Database:
    """Never called: mypy checks here, next to the implementation, that storage's database,
    unit of work and repositories are what the core's ports declare."""
    return db
