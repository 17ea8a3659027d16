"""Migration 0008 on rows that exist: a warning's author link becomes a digest and a sealed
link (no membership id left in clear), and the checks of an hour still open are kept, sealed,
so that the limit holds across the upgrade. It needs the master key; downgrading opens both
again. On SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.core.records import new_id
from storage.crypto import Keyring, new_key, seal_text
from storage.database import make_engine
from storage.migrate import downgrade, upgrade
from storage.models import UTCDateTime
from storage.warnings import open_check_times, open_reporter, reporter_digest
from tests.support.db import fresh_database_url

_MEMBERS = sa.table(
    "members",
    sa.column("id", sa.String),
    sa.column("telegram_index", sa.LargeBinary),
    sa.column("key_wrapped", sa.LargeBinary),
    sa.column("chat_sealed", sa.LargeBinary),
    sa.column("language", sa.String),
    sa.column("timezone", sa.String),
    sa.column("created_at", UTCDateTime),
    sa.column("last_seen_at", UTCDateTime),
)
_NETWORKS = sa.table(
    "networks",
    sa.column("id", sa.String),
    sa.column("name_index", sa.LargeBinary),
    sa.column("key_wrapped", sa.LargeBinary),
    sa.column("name_sealed", sa.LargeBinary),
    sa.column("config_sealed", sa.LargeBinary),
    sa.column("created_at", UTCDateTime),
)
_MEMBERSHIPS = sa.table(
    "network_members",
    sa.column("id", sa.String),
    sa.column("network_id", sa.String),
    sa.column("member_id", sa.String),
    sa.column("role", sa.String),
    sa.column("status", sa.String),
    sa.column("trusted", sa.Boolean),
    sa.column("joined_at", UTCDateTime),
)
_WARNINGS = sa.table(
    "warnings",
    sa.column("id", sa.String),
    sa.column("network_id", sa.String),
    sa.column("reporter_id", sa.String),
    sa.column("reporter_digest", sa.LargeBinary),
    sa.column("reporter_sealed", sa.LargeBinary),
    sa.column("status", sa.String),
    sa.column("body_sealed", sa.LargeBinary),
    sa.column("me_too", sa.Integer),
    sa.column("flags", sa.Integer),
    sa.column("created_at", UTCDateTime),
    sa.column("published_at", UTCDateTime),
    sa.column("expires_at", UTCDateTime),
)
_CHECKS = sa.table(
    "check_counts",
    sa.column("member_id", sa.String),
    sa.column("window_start", UTCDateTime),
    sa.column("used", sa.Integer),
    sa.column("times_sealed", sa.LargeBinary),
)


async def test_migration_0008_seals_the_author_link_and_keeps_the_checks(tmp_path: Path) -> None:
    master = new_key()
    keyring = Keyring(master)
    now = datetime.now(UTC)
    network_id, membership, warning = new_id(), new_id(), new_id()
    checker, idle = new_id(), new_id()
    member_keys = {checker: new_key(), idle: new_key()}
    network_key = new_key()
    async with fresh_database_url(tmp_path) as url:
        engine = make_engine(url)
        try:
            await upgrade(engine, "0007")
            async with engine.begin() as connection:
                for member_id, key in member_keys.items():
                    await connection.execute(
                        _MEMBERS.insert().values(
                            id=member_id,
                            telegram_index=new_key(),  # a blind index, as random as one
                            key_wrapped=keyring.wrap(key, f"member:{member_id}"),
                            chat_sealed=seal_text(key, "1", f"members:chat:{member_id}"),
                            language="es",
                            timezone="UTC",
                            created_at=now,
                            last_seen_at=now,
                        )
                    )
                await connection.execute(
                    _NETWORKS.insert().values(
                        id=network_id,
                        name_index=new_key(),
                        key_wrapped=keyring.wrap(network_key, f"network:{network_id}"),
                        name_sealed=b"x" * 40,
                        config_sealed=b"x" * 40,
                        created_at=now,
                    )
                )
                await connection.execute(
                    _MEMBERSHIPS.insert().values(
                        id=membership,
                        network_id=network_id,
                        member_id=checker,
                        role="member",
                        status="active",
                        trusted=False,
                        joined_at=now,
                    )
                )
                await connection.execute(
                    _WARNINGS.insert().values(
                        id=warning,
                        network_id=network_id,
                        reporter_id=membership,
                        status="published",
                        body_sealed=b"x" * 40,
                        me_too=0,
                        flags=0,
                        created_at=now,
                        published_at=now,
                        expires_at=now + timedelta(days=90),
                    )
                )
                await connection.execute(
                    _CHECKS.insert(),
                    [
                        {
                            "member_id": checker,
                            "window_start": now - timedelta(minutes=50),
                            "used": 3,
                        },
                        {"member_id": idle, "window_start": now - timedelta(hours=3), "used": 20},
                    ],
                )
            with pytest.raises(RuntimeError, match="needs the master key"):
                await upgrade(engine, "0008")  # rows to seal, and no key: nothing changes
            await upgrade(engine, "0008", master_key=master)
            async with engine.connect() as connection:
                columns = await connection.run_sync(
                    lambda c: {col["name"] for col in sa.inspect(c).get_columns("warnings")}
                )
                assert "reporter_id" not in columns
                digest, sealed = (
                    await connection.execute(
                        sa.select(_WARNINGS.c.reporter_digest, _WARNINGS.c.reporter_sealed)
                    )
                ).one()
                checks = dict(
                    (
                        await connection.execute(
                            sa.select(_CHECKS.c.member_id, _CHECKS.c.times_sealed)
                        )
                    ).all()
                )
            assert digest == reporter_digest(network_key, membership)
            assert membership.encode() not in sealed
            assert open_reporter(network_key, warning, sealed) == membership
            assert list(checks) == [checker]  # the window of three hours ago is over
            times = open_check_times(member_keys[checker], checker, checks[checker])
            assert len(times) == 3 and all(t >= now for t in times)  # they count for an hour

            await downgrade(engine, "0007", master_key=master)
            async with engine.connect() as connection:
                reporter = await connection.scalar(sa.text("SELECT reporter_id FROM warnings"))
                used = await connection.scalar(sa.text("SELECT used FROM check_counts"))
            assert (reporter, used) == (membership, 3)
        finally:
            await engine.dispose()
