"""Peer warnings: a warning as members read it, with its buttons; notices to coordinators
and to the reporter."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from telegram import InlineKeyboardMarkup

from bot.core.notifications import (
    PeerWarningMessage,
    WarningPublished,
    WarningRejected,
    WarningToReview,
)
from bot.core.records import Member
from bot.core.warn_form import KINDS, WHEN
from bot.i18n import short_date, t
from bot.telegram.common import keyboard
from bot.telegram.render.base import Outgoing, Renderers, network_name


def peer_warning(warning: PeerWarningMessage, to: Member) -> Outgoing:
    lang = to.language
    text = warning_text(lang, warning.fields())
    return Outgoing(text, warning_buttons(lang, warning.warning_id), protect=True)


def warning_text(lang: str, params: Mapping[str, object]) -> str:
    """A peer warning as members read it: what, where, roughly when, the text and the
    identifiers; never who reported it or when she did. `params` as `warning_params()`
    in bot.core.warnings gives them."""
    kind = _field(params, "kind") if _field(params, "kind") in KINDS else "other"
    network = _field(params, "network") or t(lang, "network.unnamed")
    area = _field(params, "area") or t(lang, "warning.area_unknown")
    lines = [
        t(lang, "warning.title", network=network),
        t(lang, f"warning.kind.{kind}") + " · " + area,
        _when(lang, _field(params, "when"), _field(params, "day")),
        _field(params, "text"),
    ]
    for name in ("phone", "plate", "name"):
        if params.get(name):
            lines.append(t(lang, f"warning.{name}", value=params[name]))
    if params.get("me_too"):
        lines.append(t(lang, "warning.me_too_count", count=params["me_too"]))
    return "\n".join(lines)


def _field(params: Mapping[str, object], name: str) -> str:
    return str(params.get(name) or "")


def _when(lang: str, when: str, day: str) -> str:
    """The day it happened, from the day it was sent, coarsely: the submission time is not
    shown (it could point at the reporter)."""
    if not day or when not in WHEN:
        return t(lang, "warning.when.earlier_unknown")
    sent = date.fromisoformat(day)
    shown = {"today": sent, "yesterday": sent - timedelta(days=1)}.get(
        when, sent - timedelta(days=7)
    )
    return t(lang, f"warning.when.{when}", date=short_date(shown, lang))


def warning_buttons(lang: str, warning_id: str) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [(t(lang, "button.me_too"), f"wn:me:{warning_id}")],
            [(t(lang, "button.flag"), f"wn:flag:{warning_id}")],
        ]
    )


def to_review(notice: WarningToReview, to: Member) -> Outgoing:
    return Outgoing(t(to.language, notice.kind, network=network_name(to, notice.network)))


def reporter_told(notice: WarningPublished, to: Member) -> Outgoing:
    """Her warning was published, or not (`WarningRejected`)."""
    return Outgoing(t(to.language, notice.kind))


def renderers() -> Renderers:
    return {
        PeerWarningMessage: peer_warning,
        WarningToReview: to_review,
        WarningPublished: reporter_told,
        WarningRejected: reporter_told,
    }
