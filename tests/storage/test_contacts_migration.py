"""Migration 0009 on rows that exist: contacts made before it were accepted under the old
rule and count as confirmed since they were made; going back down, a link still waiting
for her answer is deleted, not turned into a contact. On SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.core.records import new_id
from storage.crypto import new_key
from storage.database import make_engine
from storage.migrate import downgrade, upgrade
from storage.models import UTCDateTime
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
_CONTACTS = sa.table(
    "contacts",
    sa.column("id", sa.String),
    sa.column("worker_id", sa.String),
    sa.column("contact_id", sa.String),
    sa.column("created_at", UTCDateTime),
    sa.column("confirmed_at", UTCDateTime),
    sa.column("confirm_hash", sa.LargeBinary),
)


async def test_migration_0009_confirms_old_contacts_and_its_downgrade_drops_waiting_ones(
    tmp_path: Path,
) -> None:
    made = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)
    ana, luz, eva = new_id(), new_id(), new_id()
    old_link, waiting = new_id(), new_id()
    async with fresh_database_url(tmp_path) as url:
        engine = make_engine(url)
        try:
            await upgrade(engine, "0008")
            async with engine.begin() as connection:
                for member_id in (ana, luz, eva):
                    await connection.execute(
                        _MEMBERS.insert().values(
                            id=member_id,
                            telegram_index=new_key(),
                            key_wrapped=new_key(),
                            chat_sealed=new_key(),
                            language="es",
                            timezone="UTC",
                            created_at=made,
                            last_seen_at=made,
                        )
                    )
                await connection.execute(
                    sa.table(
                        "contacts",
                        sa.column("id", sa.String),
                        sa.column("worker_id", sa.String),
                        sa.column("contact_id", sa.String),
                        sa.column("created_at", UTCDateTime),
                    )
                    .insert()
                    .values(id=old_link, worker_id=ana, contact_id=luz, created_at=made)
                )
            await upgrade(engine, "0009")
            async with engine.begin() as connection:
                confirmed = await connection.scalar(
                    sa.select(_CONTACTS.c.confirmed_at).where(_CONTACTS.c.id == old_link)
                )
                assert confirmed == made
                await connection.execute(
                    _CONTACTS.insert().values(
                        id=waiting,
                        worker_id=ana,
                        contact_id=eva,
                        created_at=made + timedelta(days=1),
                        confirmed_at=None,
                        confirm_hash=new_key(),
                    )
                )
            await downgrade(engine, "0008")
            async with engine.connect() as connection:
                left = (await connection.execute(sa.text("SELECT id FROM contacts"))).all()
            assert [row[0] for row in left] == [old_link]
        finally:
            await engine.dispose()
