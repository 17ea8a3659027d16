"""Turns a notification into a localized Telegram message for one recipient: one table from
notification type to renderer, assembled from one module per feature.

A row that cannot be rendered must not be lost when it is an alert: `fallback()` gives a
plain alert in the contact's language instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.notifications import Alert, Notification, Priority, type_of
from bot.core.records import Member
from bot.telegram.render import (
    checkins,
    contacts,
    drills,
    members,
    networks,
    private_record,
    replies,
    shifts,
    support,
    warnings,
)
from bot.telegram.render.base import Outgoing, Renderer, label_or_default, local_time
from bot.telegram.render.checkins import checkin_buttons, fallback_alert
from bot.telegram.render.warnings import warning_buttons, warning_text

__all__ = [
    "RENDERERS",
    "Outgoing",
    "Renderer",
    "checkin_buttons",
    "fallback",
    "label_or_default",
    "local_time",
    "render",
    "warning_buttons",
    "warning_text",
]

RENDERERS: dict[type[Notification], Renderer] = {
    **checkins.renderers(),
    **contacts.renderers(),
    **drills.renderers(),
    **members.renderers(),
    **networks.renderers(),
    **private_record.renderers(),
    **replies.renderers(),
    **shifts.renderers(),
    **support.renderers(),
    **warnings.renderers(),
}


def render(notification: Notification, to: Member) -> Outgoing:
    """The message for `notification`, in the recipient's language and zone."""
    renderer = RENDERERS.get(type(notification))
    if renderer is None:
        raise LookupError("no renderer for this notification type")
    return renderer(notification, to)


def fallback(payload: Mapping[str, Any], priority: int, to: Member) -> Outgoing | None:
    """What to send for an outbox row that could not be rendered: a plain alert when the row
    was an alert (its type is an alert; or, of a kind nobody reads, its priority or its
    kind says so), in the contact's language; None for anything else. Rows of other known
    kinds (a resolved alert, a pin) get no fallback: "someone may need help" would be a
    false alarm."""
    kind = str(payload.get("kind") or "")
    known = type_of(kind)
    if known is not None and not issubclass(known, Alert):
        return None
    if known is None and priority not in (Priority.ALERT, Priority.SOS):
        if not kind.startswith("alert"):
            return None
    params = payload.get("params")
    alias = params.get("alias") if isinstance(params, Mapping) else None
    return fallback_alert(to, alias if isinstance(alias, str) else "")
