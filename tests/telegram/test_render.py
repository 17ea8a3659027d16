"""Every kind of notification renders, in every language, plainly worded or discreet, with
empty, very long and odd values: no exception, no empty message, no "?" or empty slot where
a name belongs, no unfilled {placeholder}, no catalog key shown instead of its text.

A new notification type needs a sample below, or `test_every_type_has_a_sample` fails."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from babel.messages.pofile import read_po

from bot.core.notifications import (
    Alert,
    AlertAcknowledged,
    AlertLocation,
    AlertResolved,
    AlertSent,
    Announcement,
    CheckinLastCall,
    CheckinReminder,
    ContactAccepted,
    ContactConfirmed,
    ContactDeclined,
    ContactForgotten,
    ContactLeft,
    ContactNotConfirmed,
    ContactRemoved,
    ContactToConfirm,
    ContactUnreachable,
    DetentionNotice,
    DrillReport,
    IdleNotice,
    InviteLinkUsed,
    NetworkPassUsed,
    NetworkRemoved,
    NetworkWelcome,
    Notification,
    PeerWarningMessage,
    Reply,
    WarningPublished,
    WarningRejected,
    WarningToReview,
    from_payload,
    notification_types,
)
from bot.core.notifications.private_record import RecordExport
from bot.core.notifications.shifts import (
    PartnerBusy,
    PartnerGoing,
    PartnerNoteLate,
    PartnerOverdue,
    ShiftEnded,
    ShiftJoined,
    ShiftLeft,
    ShiftStatus,
    note_line,
)
from bot.core.notifications.support import (
    CaseEnded,
    CaseNew,
    CaseRelayed,
    CaseReminder,
    CaseTaken,
)
from bot.core.private_record import entry_json
from bot.core.records import Address, Alarm, Location, Member, PartnerNote, RecordEntry
from bot.core.support import KINDS
from bot.i18n import LOCALES, catalog, languages
from bot.telegram.common import keyboard
from bot.telegram.render import RENDERERS, Outgoing, render

WHO = "0" * 32
STARTED = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)
DEADLINE = STARTED + timedelta(minutes=45)
RAISED = DEADLINE + timedelta(minutes=5)
VALUES = {
    "empty": "",
    "long": ("Ana María de los Ángeles, hotel Real " * 140)[:5000],
    # Right-to-left and zero-width marks, a family emoji (joined), braces and printf marks.
    "odd": "\u202eAna\u200f \u200d👩\u200d👩\u200d👧 {alias} {0} }{ %s %(n)s ؟ \ufeff",
}
Sample = Callable[[str], list[Notification]]


def alerts(value: str) -> list[Notification]:
    common = {"alias": value, "started_at": STARTED, "deadline": DEADLINE, "link_id": "l1"}
    made: list[Notification] = [
        Alert(WHO, "c1", **common, alarm=alarm, raised_at=RAISED, details=value)  # type: ignore[arg-type]
        for alarm in Alarm
    ]
    made.append(Alert(WHO, "c1", **common, repeat=2, has_location=True, location_at=RAISED))  # type: ignore[arg-type]
    made.append(Alert(WHO, "c1", **common, alarm=Alarm.SOS, had_checkin=True, has_location=True))  # type: ignore[arg-type]
    for alarm in Alarm:  # a drill's, marked; and her private preview of it
        made.append(Alert(WHO, "c1", **common, alarm=alarm, raised_at=RAISED, drill=True))  # type: ignore[arg-type]
    made.append(Alert(WHO, "c1", **common, drill=True, preview=True, details=value))  # type: ignore[arg-type]
    legal = {"legal_contact": value, "legal_hours": value, "legal_rights": {"es": value}}
    for alarm in (Alarm.DETAINED, Alarm.SILENT_DETAINED):  # her network's `legal:` section
        made.append(Alert(WHO, "c1", **common, alarm=alarm, **legal))  # type: ignore[arg-type]
    made.append(Alert(WHO, "c1", **common, details=value, notes=notes(value)))  # type: ignore[arg-type]
    return made


def notes(value: str) -> list[str]:
    """Her partners' notes as a notification carries them: text, a pin, both; odd ones."""
    pin = Location(19.43, -99.13)
    return [
        note_line(PartnerNote("m1", value, value, None, RAISED)),
        note_line(PartnerNote("m2", "Eva", "", pin, RAISED)),
        note_line(PartnerNote("m3", "", value or "placa", pin, RAISED)),
    ]


def detention_notices(value: str) -> list[Notification]:
    legal = {"legal_contact": value, "legal_hours": value, "legal_rights": {"*": value}}
    return [
        DetentionNotice(WHO, value, value, RAISED, checkin_id="c1"),
        DetentionNotice(WHO, value, value, RAISED, checkin_id="c1", **legal),  # type: ignore[arg-type]
    ]


def replies(value: str) -> list[Notification]:
    markup = keyboard([[(value or "·", "ck:safe:c1")]]).to_dict()
    kept = "checkin.details_saved_kept"
    return [
        Reply(WHO, "checkin.details_saved_deleted", markup=markup, protect=True),
        Reply(WHO, "checkin.details_saved_deleted", delete_first=7, key_if_kept=kept),
        Reply(WHO, delete_first=7),  # only the deletion: no text
    ]


def warning(value: str) -> list[Notification]:
    return [
        PeerWarningMessage(
            WHO,
            warning_id="w1",
            network=value,
            category=category,
            area=value,
            when=when,
            day="2026-11-20",
            text=value,
            phone=value,
            plate=value,
            name=value,
            me_too=3,
        )
        for category, when in (("robbery", "today"), (value, "week"), ("violent", value))
    ]


SAMPLES: dict[type[Notification], Sample] = {
    Reply: replies,
    Alert: alerts,
    DrillReport: lambda v: [
        DrillReport(WHO, "c1", Alarm.SOS, RAISED, reached=[v, "Eva"], answered=[v]),
        DrillReport(WHO, "c1", Alarm.DURESS, RAISED, private=True, unreachable=[v]),
        DrillReport(WHO, "c1", Alarm.MISSED, RAISED),
        DrillReport(  # when each one received it and answered; a long list stays short
            WHO,
            "c1",
            Alarm.CODEWORD,
            RAISED,
            reached=[v, "Eva", *(f"Compañera de la colonia {n}" for n in range(10))],
            received=[RAISED.isoformat(), "", *[RAISED.isoformat()] * 10],
            answered=[v],
            answered_at=[RAISED.isoformat()],
            unreachable=["Sara"],
        ),
    ],
    DetentionNotice: detention_notices,
    AlertLocation: lambda v: [AlertLocation(WHO, 19.43, -99.13)],
    AlertResolved: lambda v: [
        AlertResolved(WHO, v, "c1", raised_at=RAISED, link_id="l1"),
        AlertResolved(WHO, v, "c1", raised_at=RAISED, link_id="l1", until=DEADLINE),
    ],
    AlertAcknowledged: lambda v: [
        AlertAcknowledged(WHO, v, v, checkin_id="c1", link_id="l1"),
    ],
    CheckinReminder: lambda v: [CheckinReminder(WHO, "c1", DEADLINE, RAISED)],
    CheckinLastCall: lambda v: [CheckinLastCall(WHO, "c1", DEADLINE, RAISED)],
    AlertSent: lambda v: [AlertSent(WHO, "c1", 2, raised_at=RAISED)],
    ContactAccepted: lambda v: [ContactAccepted(WHO, v, link_id="l1")],
    ContactDeclined: lambda v: [ContactDeclined(WHO, v, invite_id="i1")],
    ContactLeft: lambda v: [ContactLeft(WHO, v, link_id="l1")],
    ContactUnreachable: lambda v: [ContactUnreachable(WHO, v, link_id="l1", since=RAISED)],
    ContactForgotten: lambda v: [ContactForgotten(WHO, v, link_id="l1", who="worker")],
    ContactRemoved: lambda v: [ContactRemoved(WHO, v, link_id="l1")],
    ContactToConfirm: lambda v: [
        ContactToConfirm(WHO, v, v, token="t0k3n", link_id="l1"),
        ContactToConfirm(WHO, "", v, token="t0k3n", link_id="l1"),  # a link with no name
    ],
    ContactConfirmed: lambda v: [ContactConfirmed(WHO, v, link_id="l1")],
    ContactNotConfirmed: lambda v: [ContactNotConfirmed(WHO, link_id="l1")],
    InviteLinkUsed: lambda v: [InviteLinkUsed(WHO, 7, invite_id="i1")],
    IdleNotice: lambda v: [IdleNotice(WHO, 7, told_on=date(2026, 11, 20))],
    Announcement: lambda v: [Announcement(WHO, v, batch="b1")],
    PeerWarningMessage: warning,
    NetworkWelcome: lambda v: [NetworkWelcome(WHO, v, membership_id="m1")],
    NetworkPassUsed: lambda v: [NetworkPassUsed(WHO, v, pass_id="p1")],
    NetworkRemoved: lambda v: [NetworkRemoved(WHO, v, membership_id="m1")],
    WarningToReview: lambda v: [
        WarningToReview(WHO, v, warning_id="w1", reason="pending", coordinator_id="m1")
    ],
    WarningPublished: lambda v: [WarningPublished(WHO, warning_id="w1")],
    WarningRejected: lambda v: [WarningRejected(WHO, warning_id="w1")],
    ShiftJoined: lambda v: [ShiftJoined(WHO, v, "she", shift_id="s1", about_id="m1")],
    ShiftLeft: lambda v: [ShiftLeft(WHO, v, "she", shift_id="s1", about_id="m1")],
    ShiftEnded: lambda v: [ShiftEnded(WHO, shift_id="s1")],
    PartnerBusy: lambda v: [PartnerBusy(WHO, v, "she", DEADLINE, checkin_id="c1")],
    PartnerOverdue: lambda v: [
        PartnerOverdue(WHO, v, "she", DEADLINE, checkin_id="c1"),
        PartnerOverdue(WHO, v, "she", DEADLINE, checkin_id="c1", notes=notes(v)),
    ],
    PartnerNoteLate: lambda v: [
        PartnerNoteLate(WHO, v, "she", note, checkin_id="c1", number=1) for note in notes(v)
    ],
    PartnerGoing: lambda v: [PartnerGoing(WHO, v, v, "she", checkin_id="c1", partner_id="m1")],
    ShiftStatus: lambda v: [
        ShiftStatus(WHO, f"{v}\tshe\tfree\t\nLuz\the\tbusy\t{DEADLINE.isoformat()}", edit=None),
        ShiftStatus(WHO, f"{v}\tneutral\toverdue\t{DEADLINE.isoformat()}", edit=7),
    ],
    CaseNew: lambda v: [CaseNew(WHO, v, kind, v, "she", "k1") for kind in (*KINDS, v)],
    CaseReminder: lambda v: [
        CaseReminder(WHO, v, "legal", v, "he", minutes, "k1", taken=minutes > 60)
        for minutes in (5, 130, 4000)
    ],
    CaseTaken: lambda v: [CaseTaken(WHO, v, "k1")],
    CaseRelayed: lambda v: [
        CaseRelayed(WHO, v, v or "·", to_support, v, "k1", number=3)
        for to_support in (True, False)
    ],
    CaseEnded: lambda v: (
        [
            CaseEnded(WHO, v, how, to_support, v, case_id="k1")
            for how, to_support in (("closed", True), ("closed", False), ("deleted", True))
        ]
        + [CaseEnded(WHO, v, "requeued", False, "", case_id="k1")]
    ),
    RecordExport: lambda v: [record_export(v, approx) for approx in ("", "week", "earlier")],
}


def record_export(value: str, approx: str) -> Notification:
    entry = RecordEntry("e1", DEADLINE, DEADLINE, not approx, value, value, value, approx)
    return RecordExport(WHO, entries=[entry_json(entry)] * 2, made_at=DEADLINE)


PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
LONE_QUESTION_MARK = re.compile(r"(?:^|\s)\?(?=\s|$|[.,:;!])")
KEY_LIKE = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b")
# Where an empty name leaves a hole: two spaces inside a line, a space before punctuation,
# empty brackets or quotes.
EMPTY_SLOT = re.compile(r"\S {2,}\S| [.,;:!?)»]|[(«] |\(\)|«»")


def member(language: str, discreet: bool, address: Address = Address.SHE) -> Member:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    return replace(
        Member(WHO, 1, None, language, "America/Mexico_City", None, now, now, discreet),
        address=address,
    )


def about(notification: Notification, address: Address) -> Notification:
    """The notification about a person of this form of address, when it names one."""
    if any(f.name == "address" for f in fields(notification)):  # type: ignore[arg-type]
        return replace(notification, address=str(address))  # type: ignore[type-var]
    return notification


def key_prefixes() -> set[str]:
    """The first part of every catalog key (alert, checkin, ...): what an echoed key starts
    with, in any language."""
    prefixes = set()
    for language in languages():
        with (LOCALES / language / "LC_MESSAGES" / "companera.po").open("rb") as po:
            prefixes |= {m.id.split(".", 1)[0] for m in read_po(po) if m.id and "." in m.id}
    return prefixes


PREFIXES = key_prefixes()


def shown(part: Outgoing) -> list[str]:
    """Every piece of text the recipient sees: the message, its other wording, its buttons."""
    texts = [text for text in (part.text, part.text_if_kept) if text is not None]
    if part.markup is not None:
        texts += [button.text for row in part.markup.inline_keyboard for button in row]
    return texts


def problems(notification: Notification, to: Member, value: str) -> list[str]:
    """What is wrong with this rendering, if anything (an empty list when nothing is)."""
    where = f"{notification.kind} ({to.language}, discreet={to.discreet})"
    try:
        part = render(notification, to)
    except Exception as error:
        return [f"{where}: raised {type(error).__name__}: {error}"]
    found = []
    if part.location is None and part.delete_first is None and not (part.text or "").strip():
        found.append(f"{where}: no text")
    for text in shown(part):
        residue = text.replace(value, "\x00") if value else text  # what the catalog wrote
        for hole in PLACEHOLDER.findall(residue):
            found.append(f"{where}: unfilled {hole}")
        if LONE_QUESTION_MARK.search(residue):
            found.append(f"{where}: a lone '?' in {residue[:80]!r}")
        for key in KEY_LIKE.findall(residue):
            if key.split(".", 1)[0] in PREFIXES:
                found.append(f"{where}: the key {key!r} instead of its text")
        if not value and EMPTY_SLOT.search(residue):
            found.append(f"{where}: an empty slot in {residue[:120]!r}")
    return found


def test_every_type_has_a_sample() -> None:
    assert set(SAMPLES) == set(notification_types())


def test_every_type_has_a_renderer() -> None:
    assert set(notification_types()) <= set(RENDERERS)


@pytest.mark.parametrize("value_name", sorted(VALUES))
@pytest.mark.parametrize("kind", notification_types(), ids=lambda cls: cls.__name__)
def test_every_kind_renders_in_every_language(kind: type[Notification], value_name: str) -> None:
    value = VALUES[value_name]
    found = []
    for notification in SAMPLES[kind](value):
        for language in languages():
            for discreet in (False, True):
                for address in Address:  # hers, and that of the person it is about
                    found += problems(
                        about(notification, address), member(language, discreet, address), value
                    )
    assert not found, "\n".join(found)


FEMININE_ONLY = {"es": (" la obligó", "Bienvenida", "vinculada"), "en": (" forced her",)}


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_alert_reads_in_the_form_of_address_of_the_person_it_is_about(language: str) -> None:
    """The three forms of an alert about her differ, and the feminine words are never in
    the masculine or neutral ones."""
    for notification in alerts("Sam"):
        texts = {
            address: render(about(notification, address), member(language, False)).text or ""
            for address in Address
        }
        for address in (Address.HE, Address.NEUTRAL):
            for word in FEMININE_ONLY[language]:
                assert word not in texts[address], (address, word)
        if notification.alarm == Alarm.DURESS:  # type: ignore[attr-defined]
            assert len(set(texts.values())) == 3, texts


DETAINED_HER = {"es": "la detuvo", "en": "detained her"}


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_detention_reads_in_her_form_of_address_and_never_sends_to_the_police(
    language: str,
) -> None:
    """Each form of address has its own words; with or without her network's legal line,
    no step gives an emergency number, even one her organisation configured for alerts."""
    common = {"alias": "Sam", "started_at": STARTED, "deadline": DEADLINE, "link_id": "l1"}
    for alarm in (Alarm.DETAINED, Alarm.SILENT_DETAINED):
        for contact in ("", "Abogadas Prueba 55 0000 1111"):
            alert = Alert(
                WHO,
                "c1",
                **common,  # type: ignore[arg-type]
                alarm=alarm,
                raised_at=RAISED,
                legal_contact=contact,
                advice={"*": "Llama a Casa Prueba"},
                emergency_number="911",
            )
            texts = {
                address: render(about(alert, address), member(language, False)).text or ""
                for address in Address
            }
            assert len(set(texts.values())) == 3, texts
            assert DETAINED_HER[language] in texts[Address.SHE]
            for address in (Address.HE, Address.NEUTRAL):
                assert DETAINED_HER[language] not in texts[address]
            for text in texts.values():
                assert "911" not in text and "Casa Prueba" not in text
                assert contact in text


@pytest.mark.parametrize("kind", notification_types(), ids=lambda cls: cls.__name__)
def test_what_the_outbox_stores_renders_the_same(kind: type[Notification]) -> None:
    """The sender renders what it reads back from the row, not the original."""
    for notification in SAMPLES[kind](VALUES["odd"]):
        stored = notification.to_payload()
        assert stored["kind"] == notification.kind
        again = from_payload(WHO, stored)
        assert type(again) is kind
        to = member("es", False)
        assert render(again, to) == render(notification, to)


def test_rows_queued_by_an_older_version_still_render() -> None:
    """An alert queued before alarms had kinds, and a reply as handlers wrote it then."""
    to = member("es", False)
    missed = {
        "kind": "alert.missed",
        "params": {
            "checkin_id": "c1",
            "alias": "Ana",
            "started_at": STARTED.isoformat(),
            "deadline": DEADLINE.isoformat(),
            "details": "Hotel Real",
            "location_at": "",
        },
    }
    alert = from_payload(WHO, missed)
    assert isinstance(alert, Alert) and alert.alarm == Alarm.MISSED
    assert "Ana" in (render(alert, to).text or "")
    reply = {
        "kind": "reply",
        "params": {"key": "pin.saved", "params": {}, "markup": None, "protect": False},
    }
    assert render(from_payload(WHO, reply), to).text == catalog("es").gettext("pin.saved")
