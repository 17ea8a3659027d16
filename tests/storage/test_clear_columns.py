"""What a copy of the database reveals without the key is exactly the list in
docs/threat-model.md, section 1: every column of every table is either protected (sealed,
wrapped, a keyed digest or blind index, a hash of a random token) or listed there with what it
tells. A column added anywhere, or a protected one turned clear, fails here until the
threat model says what it reveals."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import LargeBinary

from storage.models import Base

THREAT_MODEL = Path(__file__).parents[2] / "docs" / "threat-model.md"
LISTED = re.compile(r"^\|\s*`(\w+)\.(\w+)`\s*\|")

# How a protected column is named, and what protects it. Each is bytes (LargeBinary).
PROTECTED = {
    "_sealed": "sealed with a data key (AES-GCM, bound to its table, column and row)",
    "wrapped": "a data key wrapped by the master key",
    "_index": "a blind index (HMAC under a key derived from the master key)",
    "digest": "a keyed digest (HMAC under a network's or the installation's key)",
    "_hash": "SHA-256 of a random token of 128 bits or more",
}


def protection(column_name: str) -> str | None:
    for suffix in PROTECTED:
        if column_name.endswith(suffix):
            return suffix
    return None


def columns() -> dict[str, bool]:
    """Every `table.column` of the models, and whether its name says it is protected."""
    return {
        f"{table.name}.{column.name}": protection(column.name) is not None
        for table in Base.metadata.sorted_tables
        for column in table.columns
    }


def listed_in_section_1() -> list[str]:
    text = THREAT_MODEL.read_text(encoding="utf-8")
    section = text.split("\n## 1.", 1)[1].split("\n## 2.", 1)[0]
    return [f"{m[1]}.{m[2]}" for line in section.splitlines() if (m := LISTED.match(line))]


def test_the_threat_model_lists_every_clear_column_and_no_other() -> None:
    clear = {name for name, protected in columns().items() if not protected}
    listed = listed_in_section_1()
    assert len(listed) == len(set(listed)), "a column is listed twice"
    missing = sorted(clear - set(listed))
    extra = sorted(set(listed) - clear)
    assert not missing, f"clear columns the threat model (section 1) does not list: {missing}"
    assert not extra, f"listed in the threat model but not a clear column: {extra}"


def test_a_protected_name_is_bytes() -> None:
    """A column named as sealed, wrapped or a digest holds bytes, never text a copy reads."""
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if protection(column.name) is not None:
                assert isinstance(column.type, LargeBinary), f"{table.name}.{column.name}"


def test_the_classification_catches_a_new_clear_column() -> None:
    assert protection("alarm") is None and protection("discreet") is None
    assert protection("state_sealed") == "_sealed"
    assert protection("telegram_index") == "_index"
