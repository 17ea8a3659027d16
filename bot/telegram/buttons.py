"""Button data as it leaves the server, and as it comes back: the fields that name a row
(`ck:safe:<check-in id>`) travel as opaque tokens (`RowTokens`), never as the id or a part
of it.

Callback data stays in every Telegram client's cache and on Telegram's servers; joined with
a copy of the database, an id there would name her check-ins, her alarms, a warning's author.
The handlers and renderers write and read plain ids (`ck:safe:<id>`); `seal_markup` turns
them into tokens in the one place markup leaves for Telegram (the outbox sender), and
`open_fields` turns them back in the one place a press is read (`common.pressed`). One table
says which field of which button names which kind of row.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.ports import RowTokens

ANY = frozenset[str]()  # any value of this field
_PLAIN_ID = re.compile(r"[0-9a-f]{32}")  # in buttons sent before ids became tokens

# prefix -> (the values the fields before the reference must have; ANY for any), kind of row.
REFERENCES: dict[str, tuple[tuple[tuple[frozenset[str], ...], str], ...]] = {
    "iv": (((frozenset({"ok", "no"}),), "invite"),),
    "ck": (((frozenset({"done", "safe", "ext"}),), "checkin"),),
    "so": (((frozenset({"sos", "ok", "det"}),), "checkin"),),
    "al": (((frozenset({"ack", "loc"}),), "checkin"),),
    "dn": (((frozenset({"detail"}),), "checkin"),),
    "ct": (((frozenset({"rm", "leave"}),), "contact"),),
    "tu": (((frozenset({"ok", "no"}),), "shiftpass"),),
    "sv": (((frozenset({"go"}),), "checkin"),),
    "sn": (((frozenset({"add", "end"}),), "checkin"),),
    "mo": (
        (
            (frozenset({"approve", "trust", "edit", "reject", "keep", "remove"}),),
            "warning",
        ),
    ),
    "wn": (((frozenset({"me", "flag"}),), "warning"),),
    "nw": (
        ((frozenset({"pass", "list", "leave", "bye"}),), "network"),
        ((frozenset({"tr", "rm", "rmok"}),), "membership"),
    ),
    "wf": (((ANY, frozenset({"network"})), "network"),),
    "ar": (((), "network"),),
    "rg": (((frozenset({"del", "delok"}),), "record"),),
    "sp": (
        ((frozenset({"net"}),), "network"),
        ((frozenset({"k"}), frozenset({"legal", "health", "violence", "other"})), "network"),
        ((frozenset({"take", "write", "close", "del", "delok"}),), "case"),
    ),
}


def reference(fields: list[str], prefix: str) -> tuple[int, str] | None:
    """Which of a button's fields (after its prefix) names a row, and of which kind."""
    for before, kind in REFERENCES.get(prefix, ()):
        at = len(before)
        if len(fields) <= at:
            continue
        pairs = zip(fields[:at], before, strict=True)
        if all(allowed is ANY or field in allowed for field, allowed in pairs):
            return at, kind
    return None


def seal_data(data: str, tokens: RowTokens) -> str:
    """Callback data as it is sent: its row id, if it names one, as a token."""
    prefix, *fields = data.split(":")
    found = reference(fields, prefix)
    if found is None:
        return data
    at, kind = found
    fields[at] = tokens.token(kind, fields[at])
    return ":".join([prefix, *fields])


def open_fields(prefix: str, fields: list[str], tokens: RowTokens) -> list[str] | None:
    """A pressed button's fields with its token turned back into a row id; None when the
    token is not one (forged, of another kind, or of another installation). A plain id is
    still read, so that a button sent before ids became tokens (an alert's "I'm on it")
    keeps working: it reveals nothing new, and the presser is checked as always."""
    found = reference(fields, prefix)
    if found is None:
        return fields
    at, kind = found
    row_id = tokens.row_id(kind, fields[at])
    if row_id is None and _PLAIN_ID.fullmatch(fields[at]):
        row_id = fields[at]
    if row_id is None:
        return None
    return [*fields[:at], row_id, *fields[at + 1 :]]


def seal_markup(
    markup: InlineKeyboardMarkup | None, tokens: RowTokens
) -> InlineKeyboardMarkup | None:
    """A keyboard as it is sent: every button's row id as a token."""
    if markup is None:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    for row in markup.inline_keyboard:
        sealed = []
        for button in row:
            data = button.callback_data
            if isinstance(data, str):
                fields: dict[str, Any] = button.to_dict()
                fields["callback_data"] = seal_data(data, tokens)
                button = InlineKeyboardButton.de_json(fields, None)
            sealed.append(button)
        rows.append(sealed)
    return InlineKeyboardMarkup(rows)
