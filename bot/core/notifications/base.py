"""The base of every notification: its priority, how the outbox stores it and reads it
back, and the registry of kinds.

The outbox keeps a notification as `{"kind": ..., "params": {field: value}}`; `kind` strings
never change, so that rows queued by an older version still read. Fields that only make the
idempotency key or the priority (`NOT_STORED`) are not stored: the row carries both already.
"""

from __future__ import annotations

import secrets
import types
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from datetime import UTC, date, datetime
from enum import Enum, IntEnum
from typing import Any, ClassVar, Self, Union, get_args, get_origin, get_type_hints


class Priority(IntEnum):
    """Lower goes first: alert > SOS > reminder > interactive reply > broadcast."""

    ALERT = 0
    SOS = 1
    REMINDER = 2
    INTERACTIVE = 3
    BROADCAST = 4


NOT_STORED: Mapping[str, Any] = {"stored": False}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_KINDS: dict[str, type[Notification]] = {}
_HINTS: dict[type[Notification], dict[str, Any]] = {}


class UnknownKind(LookupError):
    """An outbox row of a kind that no notification type reads."""


@dataclass(frozen=True)
class Notification:
    """A message for one member. Each subclass names its `kind` (and the older names it
    still reads, `read_also`), its `priority`, and its `idempotency_key`."""

    recipient_id: str
    kind: ClassVar[str]
    read_also: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" not in cls.__dict__:
            return  # a base shared by several kinds
        for kind in (cls.kind, *cls.read_also):
            if kind in _KINDS:
                raise TypeError(f"two notification types read kind {kind!r}")
            _KINDS[kind] = cls

    @property
    def priority(self) -> Priority:
        raise NotImplementedError

    @property
    def idempotency_key(self) -> str:
        raise NotImplementedError

    def to_payload(self) -> dict[str, Any]:
        """What the outbox stores: the kind and the stored fields, as JSON values."""
        return {"kind": self.kind, "params": self.fields()}

    def fields(self) -> dict[str, Any]:
        """The stored fields, under their stored names, as JSON values."""
        return {
            _stored_name(f.name, f.metadata): _encode(getattr(self, f.name))
            for f in fields(self)
            if f.name != "recipient_id" and f.metadata.get("stored", True)
        }

    @classmethod
    def from_fields(cls, recipient_id: str, params: Mapping[str, Any]) -> Self:
        """Read back from stored fields (see `fields()`); unknown names are ignored. Raises
        KeyError, TypeError or ValueError naming a field, never quoting its value."""
        return cls(**_read(cls, recipient_id, params))


def from_payload(recipient_id: str, payload: Mapping[str, Any]) -> Notification:
    """The notification an outbox row holds; raises UnknownKind for a kind nobody reads,
    and as `from_fields` for a row that does not fit its type."""
    cls = type_of(str(payload.get("kind")))
    if cls is None:
        raise UnknownKind("no notification type reads this kind")
    params = payload.get("params") or {}
    if not isinstance(params, Mapping):
        raise TypeError("the row's params are not a mapping")
    return cls.from_fields(recipient_id, params)


def _read(cls: type[Notification], recipient_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
    hints = _hints(cls)
    values: dict[str, Any] = {"recipient_id": recipient_id}
    for f in fields(cls):
        if f.name == "recipient_id":
            continue
        name = _stored_name(f.name, f.metadata)
        if f.metadata.get("stored", True) and name in params:
            try:
                values[f.name] = _decode(hints[f.name], params[name])
            except TypeError:
                raise TypeError(f"field {f.name} is not of its type") from None
            except ValueError:  # its message may quote the value
                raise ValueError(f"field {f.name} does not read") from None
        elif f.default is MISSING and f.default_factory is MISSING:
            if f.metadata.get("stored", True):
                raise KeyError(f.name)
            values[f.name] = _zero(hints[f.name])
    return values


def type_of(kind: str) -> type[Notification] | None:
    """The type that reads outbox rows of `kind`, if any."""
    return _KINDS.get(kind)


def notification_types() -> list[type[Notification]]:
    """Every kind of notification, once each."""
    return list(dict.fromkeys(_KINDS.values()))


def _stored_name(name: str, metadata: Mapping[str, Any]) -> str:
    return str(metadata.get("stored_as", name))


def _hints(cls: type[Notification]) -> dict[str, Any]:
    """The fields' types (annotations are strings here), worked out once per type."""
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _decode(hint: Any, value: Any) -> Any:
    """A JSON value back into the field's type; strict, so a bad row fails loudly."""
    if get_origin(hint) in (Union, types.UnionType):
        (inner,) = (a for a in get_args(hint) if a is not type(None))
        if value is None or (value == "" and inner in (datetime, date)):
            return None
        return _decode(inner, value)
    if get_origin(hint) is list:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise TypeError
        return list(value)
    if get_origin(hint) is dict:
        if not isinstance(value, dict):
            raise TypeError
        return dict(value)
    if hint in (datetime, date):
        if not isinstance(value, str):
            raise TypeError
        return hint.fromisoformat(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError
    if not isinstance(value, hint):
        raise TypeError
    return value


def _zero(hint: Any) -> Any:
    """A field that is not stored, in a row read back: the row has its key, any value
    will do."""
    zeros = {str: "", int: 0, datetime: _EPOCH, date: _EPOCH.date()}
    return zeros[hint]


def new_nonce() -> str:
    """A random key part, for a notification that answers one update once."""
    return secrets.token_hex(12)
