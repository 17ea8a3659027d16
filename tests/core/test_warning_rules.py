"""The /warn form as pure rules: the next question, answers checked, fields asked again."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.context import Refused
from bot.core.network_config import parse_config
from bot.core.warn_form import EXTRAS, FIELDS, KINDS, WHEN, answer, answer_pin, clear, next_field

CONFIG = parse_config(
    "region: MX\nareas:\n  - id: centro\n    name: Centro\n    aliases: [Zócalo]\n"
    "    center: [19.4326, -99.1332]\n    radius_km: 2\n"
)
COMPLETE = {
    "draft": "d1",
    "network": "n1",
    "kind": "robbery",
    "area": "centro",
    "when": "today",
    "text": "Un texto de prueba",
    "extras": "done",
}


def test_questions_come_in_order_then_the_review() -> None:
    draft: dict[str, str] = {"draft": "d1"}
    asked = []
    while (field := next_field(draft)) != "review":
        asked.append(field)
        draft = {**draft, field: COMPLETE[field]}
    assert tuple(asked) == FIELDS


def test_answers_are_checked_and_a_refusal_keeps_nothing_new() -> None:
    assert answer(COMPLETE, "kind", "dragons", CONFIG) == Refused("warn.error.stale")
    assert answer(COMPLETE, "when", "tomorrow", CONFIG) == Refused("warn.error.stale")
    assert answer(COMPLETE, "area", "norte", CONFIG) == Refused("warn.error.area")
    assert answer(COMPLETE, "text", " a ", CONFIG) == Refused("warn.error.text_short")
    assert isinstance(answer(COMPLETE, "text", "x" * 1001, CONFIG), Refused)
    assert answer(COMPLETE, "phone", "hola", CONFIG) == Refused(
        "warn.error.phone", {"example": "55 1234 5678"}
    )
    assert answer(COMPLETE, "phone", "044 55 1234 5678", CONFIG) == {
        **COMPLETE,
        "phone": "+525512345678",
    }
    assert answer(COMPLETE, "plate", "p-123 abc", CONFIG) == {**COMPLETE, "plate": "P123ABC"}
    assert answer(COMPLETE, "name", "  El   Güero ", CONFIG) == {**COMPLETE, "name": "El Güero"}
    for kind in KINDS:
        assert answer(COMPLETE, "kind", kind, CONFIG) == {**COMPLETE, "kind": kind}
    for when in WHEN:
        assert answer(COMPLETE, "when", when, CONFIG) == {**COMPLETE, "when": when}


def test_clearing_a_field_asks_it_again_and_a_new_network_asks_the_area() -> None:
    for field in ("kind", "area", "when", "text"):
        assert next_field(clear(COMPLETE, field)) == field
    assert next_field(clear(COMPLETE, "network")) == "network"
    assert "area" not in clear(COMPLETE, "network")
    for extra in EXTRAS:
        with_extra = {**COMPLETE, extra: "x"}
        assert next_field(clear(with_extra, extra)) == "extras"


@given(field=st.sampled_from(("kind", "area", "when", "text", *EXTRAS)), value=st.text())
def test_any_answer_is_a_form_or_a_refusal(field: str, value: str) -> None:
    result = answer(COMPLETE, field, value, CONFIG)
    assert isinstance(result, Refused) or (
        set(result) == set(COMPLETE) | {field} and result["draft"] == "d1"
    )


def test_an_area_is_a_button_a_typed_name_or_alias_or_a_pin() -> None:
    draft = {k: v for k, v in COMPLETE.items() if k != "area"}
    for typed in ("centro", "CENTRO ", "zocalo", "¡Zócalo!"):
        assert answer(draft, "area", typed, CONFIG) == COMPLETE, typed
    assert answer_pin(draft, CONFIG, 19.433, -99.133) == COMPLETE
    assert answer_pin(draft, CONFIG, 19.6, -99.133) == Refused("warn.error.area_pin")
