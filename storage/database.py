"""The engine, the unit of work, and the installation's keys."""

from __future__ import annotations

from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import wakeups
from storage.checkins import CheckInRepository
from storage.contacts import ContactRepository, InviteRepository
from storage.crypto import CryptoError, Keyring, RowTokens, new_key
from storage.members import MemberRepository
from storage.models import SystemKey
from storage.networks import NetworkRepository
from storage.outbox import OutboxRepository, Sequencer
from storage.pace import SendBudget
from storage.safety import SafetyRepository
from storage.updates import UpdateRepository
from storage.warnings import WarningRepository

if TYPE_CHECKING:
    from bot.core import ports

INDEX_KEY = "index"


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
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        # A deferred transaction that later writes can fail with "database is locked"
        # without waiting; an immediate one waits for the writer lock instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One per process: the engine and the keyring."""

    def __init__(self, engine: AsyncEngine, keyring: Keyring) -> None:
        self.engine = engine
        self.keyring = keyring
        self.tokens = RowTokens(keyring)
        self._sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
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
        return UnitOfWork(self._sessions(), self.keyring, self.is_postgres, self.sequencer)

    async def ping(self) -> None:
        """Raises unless the database answers."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()


class UnitOfWork:
    """One transaction and the repositories that work in it. Nothing commits but `commit()`."""

    def __init__(
        self, session: AsyncSession, keyring: Keyring, is_postgres: bool, sequencer: Sequencer
    ) -> None:
        self.session = session
        self.is_postgres = is_postgres
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

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
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
        await self.session.commit()
        self.checkins.notified = self.outbox.notified = False

    async def rollback(self) -> None:
        """Forget everything done since the last commit; the unit of work can be used again."""
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
