"""What her contacts are told to do in an alert: the catalog's steps (reach her, go where the
alert says, with someone), the advice of her organisation or deployment in the contact's
language, an emergency number only where one was configured, and the "last location" button
only when there is a location."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.network_config import ConfigInvalid, parse_advice, parse_config
from bot.core.notifications import Alert
from bot.core.records import DETENTION_ALARMS, Alarm
from bot.i18n import languages, t
from bot.telegram.render import render
from tests.telegram.test_render import DEADLINE, RAISED, STARTED, WHO, member

# What the catalog must never tell a contact on its own: the organisations of the seeds say
# the police are often a danger to sex workers. (The title's "EMERGENCIA" names the alarm.)
POLICE = ("emergencias", "policía", "policia", "911", "emergency services", "police", "patrulla")

ADVICE = {"es": "Llama a Casa Prueba: 55 0000 0000.", "en": "Call Casa Prueba: 55 0000 0000."}


def an_alert(alarm: Alarm = Alarm.SOS, **changes: object) -> Alert:
    alert = Alert(
        WHO,
        "c1",
        alias="Eva",
        started_at=STARTED,
        deadline=DEADLINE,
        link_id="l1",
        alarm=alarm,
        raised_at=RAISED,
    )
    return replace(alert, **changes)  # type: ignore[arg-type]


def text_of(alert: Alert, language: str) -> str:
    return render(alert, member(language, False)).text or ""


def buttons_of(alert: Alert, language: str) -> list[str]:
    markup = render(alert, member(language, False)).markup
    return [b.text for row in (markup.inline_keyboard if markup else ()) for b in row]


@pytest.mark.parametrize("language", languages())
@pytest.mark.parametrize("alarm", list(Alarm))
@pytest.mark.parametrize("location", [False, True])
@pytest.mark.parametrize("details", ["", "Hotel Prueba hab 7"])
def test_without_configuration_no_alert_sends_anyone_to_the_police(
    language: str, alarm: Alarm, location: bool, details: str
) -> None:
    alert = an_alert(alarm, has_location=location, details=details)
    text = text_of(alert, language).lower()
    if alarm in DETENTION_ALARMS:  # it names the police (they hold her), and says not to call
        not_police = t(language, "alert.step.detained.neutral", alias="Eva").lower()
        assert not_police in text
        text = text.replace(not_police, "").split("\n", 1)[1]  # and the title
    else:
        assert t(language, "alert.step.advice", alias="Eva").lower() in text
    assert not [word for word in POLICE if word in text], text


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_networks_advice_and_number_in_the_contacts_language(language: str) -> None:
    alert = an_alert(advice=ADVICE, emergency_number="911")
    text = text_of(alert, language)
    assert ADVICE[language] in text
    assert ADVICE["en" if language == "es" else "es"] not in text
    assert t(language, "alert.step.emergency", alias="Eva", number="911") in text
    assert t(language, "alert.step.advice", alias="Eva") not in text  # replaced, not added


def test_advice_in_another_language_is_better_than_none() -> None:
    """A contact whose language the organisation did not write in reads its first text."""
    only_spanish = an_alert(advice={"es": ADVICE["es"]})
    assert ADVICE["es"] in text_of(only_spanish, "en")
    for_all = an_alert(advice={"*": "Casa Prueba: 55 0000 0000"})
    assert all("Casa Prueba: 55 0000 0000" in text_of(for_all, lang) for lang in languages())


def test_a_number_without_advice_keeps_the_catalogs_steps() -> None:
    text = text_of(an_alert(emergency_number="*311"), "es")
    assert "Si crees que la vida de Eva corre peligro, llama al *311." in text
    assert t("es", "alert.step.advice", alias="Eva") in text


def test_steps_are_numbered_in_order() -> None:
    alert = an_alert(Alarm.MISSED, has_location=True, details="Hotel", advice=ADVICE)
    steps = text_of(alert, "es").split("Qué hacer:\n", 1)[1].splitlines()
    assert [step.split(". ", 1)[0] for step in steps] == ["1", "2", "3", "4"]
    assert steps[2] == f"3. {ADVICE['es']}"


@pytest.mark.parametrize("language", languages())
@pytest.mark.parametrize("alarm", list(Alarm))
def test_nowhere_to_go_when_the_alert_gives_no_place(language: str, alarm: Alarm) -> None:
    """An SOS without a check-in has no details and maybe no pin: nobody is sent to them."""
    bare = text_of(an_alert(alarm), language)
    places = (t(language, "alert.step.go.details"), t(language, "alert.step.go_now.details"))
    assert not any(place in bare for place in places)
    assert "lugar de los detalles" not in bare and "place in the details" not in bare
    pinned = text_of(an_alert(alarm, has_location=True), language)
    assert "lugar de los detalles" not in pinned and "place in the details" not in pinned
    both = text_of(an_alert(alarm, has_location=True, details="Hotel"), language)
    assert "lugar de los detalles" in both or "place in the details" in both


@pytest.mark.parametrize("alarm", [Alarm.CODEWORD, Alarm.DURESS])
def test_when_her_phone_may_be_watched_contacts_go_at_once(alarm: Alarm) -> None:
    text = text_of(an_alert(alarm, details="Hotel"), "es")
    assert t("es", "alert.step.reach.watched") in text
    assert t("es", "alert.step.go_now.details") in text and "Si no contesta" not in text


@pytest.mark.parametrize("language", languages())
def test_the_last_location_button_only_with_a_location(language: str) -> None:
    location = t(language, "button.latest_location")
    assert location not in buttons_of(an_alert(), language)
    assert location not in text_of(an_alert(), language)
    assert location in buttons_of(an_alert(has_location=True), language)
    assert t(language, "button.on_it") in buttons_of(an_alert(), language)


def test_the_advice_is_stored_with_the_alert() -> None:
    from bot.core.notifications import from_payload

    alert = an_alert(advice=ADVICE, emergency_number="911")
    again = from_payload(WHO, alert.to_payload())
    assert text_of(again, "en") == text_of(alert, "en")  # type: ignore[arg-type]


def test_a_networks_yaml_and_the_deployments_json_read_the_same() -> None:
    network = parse_config(
        "areas: [{name: Centro}]\n"
        "alerts:\n"
        "  advice:\n"
        "    es: Llama a Casa Prueba.\n"
        "    en: Call Casa Prueba.\n"
        "  emergency_number: 911\n"
    )
    deployment = parse_advice(
        '{"advice": {"es": "Llama a Casa Prueba.", "en": "Call Casa Prueba."},'
        ' "emergency_number": "911"}'
    )
    assert network.alerts == deployment
    assert parse_config("areas: [{name: Centro}]").alerts is None
    assert parse_advice('{"advice": "Casa Prueba"}').text_in("en") == "Casa Prueba"


@pytest.mark.parametrize(
    ("alerts", "problem"),
    [
        ("{advice: {spanish: x}}", "alerts.advice: 'spanish' is not a language code"),
        ("{advice: {es: ''}}", "alerts.advice.es: must not be empty"),
        ("{emergency_number: policía}", "alerts.emergency_number: must be a number to dial"),
        ("{emergency: '911'}", "alerts.emergency: unknown key"),
    ],
)
def test_a_mistake_in_the_alerts_section_is_named(alerts: str, problem: str) -> None:
    with pytest.raises(ConfigInvalid) as raised:
        parse_config(f"areas: [{{name: Centro}}]\nalerts: {alerts}\n")
    assert str(raised.value).startswith(problem)


def test_a_bad_deployment_setting_stops_the_start_with_one_line() -> None:
    from bot.config import SettingsError, load_settings

    with pytest.raises(SettingsError) as raised:
        load_settings(ALERT_ADVICE='{"advice": {"espanol": "x"}}')
    assert str(raised.value).startswith("ALERT_ADVICE:")
    assert "'espanol' is not a language code" in str(raised.value)
    assert load_settings(ALERT_ADVICE="").alerts is None
    assert load_settings(ALERT_ADVICE='{"emergency_number": "911"}').alerts is not None
