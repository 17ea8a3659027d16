"""Silent alarms stay silent (issue 14, part 3): after her code word or duress PIN her own
flows behave as if nothing happened while the alarm goes on for her contacts; her code
word's answer is like any other; a contact the alarm found unreachable is named only once
it is over; everyday phrases are no code word; with no contact, nothing claims anyone was
told. The transcript-equality tests are in test_silent_transcripts.py."""

from __future__ import annotations

from bot.emulator import EmulatedUser
from tests.e2e.conftest import GRACE, World, set_pins
from tests.support.catalog import said

PHRASE = "¿Compraste las naranjas?"
SAFE_PIN, DURESS_PIN = "482913", "735260"
ACK = "🙋 Me encargo"


async def with_codeword(user: EmulatedUser, reply: str = "«Ok, gracias»") -> None:
    await user.send(f"/codeword {PHRASE}")
    await user.press(await user.receives(containing=said("codeword.choose_reply")), reply)
    await user.receives(containing=said("codeword.reply_saved"))


async def test_after_the_code_word_her_flows_are_as_if_nothing_happened(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await with_codeword(ana)
    await ana.send("compraste las naranjas")  # no check-in running
    assert (await ana.receives()).text == "Ok, gracias"
    alert = await luz.receives(containing=said("alert.codeword.title", alias="Ana"))

    # No check-in appears for her: a new one starts, and her details leave the chat.
    typed = await ana.send("/checkin 30m Hotel Luna hab 4")
    await ana.receives(containing=said("checkin.started"))
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    assert ana.is_deleted(typed)
    # A second one is refused as usual, for her own check-in; its details are deleted too.
    again = await ana.send("/checkin 1h Hotel Sol")
    running = await ana.receives(containing=said("checkin.error.running"))
    assert running.has_button("✅ Estoy bien")
    assert ana.is_deleted(again)
    await ana.send("/extend 30m")
    extended = await ana.receives(containing=said("checkin.extended"))
    assert "contactos" not in (extended.text or "")
    await ana.send("/safe")
    await ana.receives(containing=said("checkin.safe"))  # not "I told your contacts"
    await ana.send("/safe")
    await ana.receives(containing=said("checkin.error.none"))

    # The alarm goes on for her contacts: nobody stood them down, and they can answer it.
    await world.settle()
    await luz.receives_nothing()
    await luz.press(alert, ACK)
    await luz.receives(containing=said("alert.ack.thanks", alias="Ana"))
    await world.settle()
    await ana.receives_nothing()


async def test_the_code_word_during_a_checkin_leaves_it_running_for_her(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await with_codeword(ana, "Nada (no contestar)")
    await ana.send("/checkin 1h Hotel Prueba Lila hab 9")
    started = await ana.receives(containing=said("checkin.started"))
    await ana.receives(containing=said("checkin.details_saved_deleted"))
    await ana.send_location(19.4326, -99.1332)
    await ana.receives(containing=said("checkin.location_saved"))
    await ana.send(PHRASE)
    alert = await luz.receives(containing=said("alert.codeword.title", alias="Ana"))
    assert "Hotel Prueba Lila hab 9" in (alert.text or "")
    await luz.receives()  # her location pin
    await world.settle()
    await ana.receives_nothing()  # silence, as she chose
    await luz.press(alert, ACK)  # (no repeats)
    await luz.receives(containing=said("alert.ack.thanks", alias="Ana"))

    # Her check-in runs on: its reminder comes, its buttons work, it ends as any other.
    await ana.send("/checkin 30m")
    await ana.receives(containing="Ya tienes un check-in hasta las 13:00")
    await world.advance(minutes=50)
    await ana.receives(containing=said("checkin.reminder", deadline="13:00"))
    await ana.press(started, "✅ Estoy bien")
    await ana.receives(containing=said("checkin.safe"))
    await world.settle()
    await luz.receives_nothing()  # not told she is fine: she never said so


async def test_unknown_text_gets_her_code_words_reply_or_nothing(world: World) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await ana.send("hola")
    await ana.receives(containing=said("hint.free_text"))  # no code word: the hint
    await with_codeword(ana, "«Ahorita te contesto»")
    for text in ("hola", "¿qué tal?", "oye, ¿compraste las naranjas? las de ayer"):
        await ana.send(text)
        answer = await ana.receives()
        assert answer.text == "Ahorita te contesto" and not answer.buttons()
    await world.settle()
    await luz.receives_nothing()  # none of them was her code word

    await ana.send("/codeword")
    is_set = await ana.receives(containing=said("codeword.is_set"))
    await ana.press(is_set, "Cambiar lo que contesto")
    await ana.press(
        await ana.receives(containing=said("codeword.choose_reply")), "Nada (no contestar)"
    )
    await ana.receives(containing=said("codeword.reply_saved"))
    await ana.send("hola")
    await world.settle()
    await ana.receives_nothing()  # silence, as for her code word


async def test_setting_up_never_echoes_the_reply(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send(f"/codeword {PHRASE}")
    choose = await ana.receives(containing=said("codeword.choose_reply"))
    assert not any(button.startswith("•") for button in choose.buttons())
    await ana.press(choose, "«Ok, gracias»")
    done = await ana.receives(containing=said("codeword.reply_saved"))
    assert done.text == "Listo."
    assert ana.is_deleted(choose)
    visible = [m.text or "" for m in ana.inbox() if not m.deleted]
    assert not any("Ok, gracias" in text for text in visible)


async def test_a_blocked_contact_is_named_only_once_the_silent_alarm_is_over(
    world: World,
) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await world.link(ana, luz, eva)
    world.emulator.block(eva)
    await with_codeword(ana)
    await ana.send(PHRASE)
    assert (await ana.receives()).text == "Ok, gracias"
    await luz.receives(containing=said("alert.codeword.title", alias="Ana"))
    await world.settle()
    await ana.receives_nothing()  # the 403 shows nothing in her chat

    # While the alarm is on, neither /contacts nor a check-in names Eva.
    await ana.send("/contacts")
    await ana.receives(containing=said("contacts.list.mine"))
    await ana.send("/checkin 30m")
    await ana.receives(containing=said("checkin.started"))
    await ana.receives(containing=said("checkin.ask_details"))
    await ana.send("/safe")
    await ana.receives(containing=said("checkin.safe"))
    await world.settle()
    await ana.receives_nothing()
    assert not [m for m in ana.inbox() if "No puedo escribirle" in (m.text or "")]

    # Once it is over (its details expire a day after it), she is told, in neutral words.
    await world.advance(hours=24, minutes=1)
    await ana.send("/contacts")
    await ana.receives(containing=said("contacts.list.mine"))
    notice = await ana.receives(containing=said("contacts.unreachable_now", names="Eva"))
    assert "alerta" not in (notice.text or "")
    await ana.send("/checkin 30m")
    await ana.receives(containing=said("checkin.started"))
    await ana.receives(containing=said("contacts.unreachable_now", names="Eva"))


async def test_a_blocked_contact_after_a_duress_pin_shows_nothing(world: World) -> None:
    ana, luz, eva = await world.members("ana", "luz", "eva")
    await world.link(ana, luz, eva)
    await set_pins(ana, SAFE_PIN, DURESS_PIN)
    world.emulator.block(eva)
    await ana.send("/checkin 1h")
    await ana.press(await ana.receives(containing=said("checkin.started")), "✅ Estoy bien")
    await ana.receives(containing=said("pin.ask"))
    await ana.send(DURESS_PIN)
    await ana.receives(containing=said("checkin.safe"))
    await luz.receives(containing=said("alert.duress.title", alias="Ana"))
    await world.settle()
    await ana.receives_nothing()


async def test_duress_pin_for_all_good_after_an_sos_leaves_her_timer_running(
    world: World,
) -> None:
    ana, luz = await world.members("ana", "luz")
    await world.link(ana, luz)
    await set_pins(ana, SAFE_PIN, DURESS_PIN)
    await ana.send("/checkin 1h")
    await ana.receives(containing=said("checkin.started"))
    await ana.send("/sos")
    await luz.receives(containing=said("alert.sos.title", alias="Ana"))
    await ana.press(await ana.receives(containing=said("sos.sent")), "Todo bien")
    await ana.receives(containing=said("pin.ask"))
    await ana.send(DURESS_PIN)
    await ana.receives(containing=said("sos.stood_down"))
    await luz.receives(containing=said("alert.duress.title", alias="Ana"))
    # As after her safety PIN, her timer goes on to its deadline.
    await ana.send("/checkin 30m")
    await ana.receives(containing="Ya tienes un check-in hasta las 13:00")


async def test_everyday_phrases_are_no_code_word(world: World) -> None:
    (ana,) = await world.members("ana")
    for phrase, refusal in (
        ("hola", "codeword.error.short"),
        ("ya voy", "codeword.error.short"),
        ("hola amor", "codeword.error.common"),
        ("ok gracias bb", "codeword.error.common"),
        ("see you later", "codeword.error.common"),
    ):
        typed = await ana.send(f"/codeword {phrase}")
        answer = await ana.receives(containing=said(refusal, min="8"))
        assert "naranjas" in (answer.text or "")  # what makes a good one
        assert ana.is_deleted(typed)
    await ana.send(f"/codeword {PHRASE}")
    await ana.receives(containing=said("codeword.saved_deleted"))


async def test_with_no_contact_nothing_claims_anyone_was_told(world: World) -> None:
    (ana,) = await world.members("ana")
    await ana.send("/codeword")
    await ana.receives(containing=said("codeword.intro"))
    await ana.receives(containing=said("contacts.none_to_alert"))
    await ana.send(PHRASE)
    await ana.receives(containing=said("codeword.saved_deleted"))
    await ana.press(await ana.receives(containing=said("codeword.choose_reply")), "«👍»")
    await ana.receives(containing=said("codeword.reply_saved"))
    await ana.send(PHRASE)
    assert (await ana.receives()).text == "👍"  # her chosen reply, nothing else
    await ana.send("/safe")
    await ana.receives(containing=said("checkin.error.none"))

    await ana.send("/pin")
    await ana.receives(containing=said("pin.intro"))
    await ana.receives(containing=said("contacts.none_to_alert"))
    await ana.receives(containing=said("pin.ask_safe"))

    await ana.send("/sos")
    await ana.receives(containing=said("sos.no_contacts"))
    await ana.send("/safe")
    safe = await ana.receives(containing=said("checkin.safe"))
    assert "contactos" not in (safe.text or "")

    await ana.send("/checkin 30m")
    await ana.receives(containing=said("checkin.started"))
    await ana.receives(containing=said("checkin.no_contacts"))
    await world.advance(minutes=30, seconds=GRACE + 1)
    missed = await ana.receives(containing=said("checkin.alert_sent_nobody"))
    assert "Avisé" not in (missed.text or "")
    await ana.send("/extend 30m")
    extended = await ana.receives(containing=said("checkin.extended"))
    assert "contactos" not in (extended.text or "")
    await world.settle()
    visible = "\n".join(m.text or "" for m in ana.inbox())
    for claim in ("Avisé a tus contactos", "Les dije a tus contactos", "Ya les dije"):
        assert claim not in visible


async def test_with_no_contact_and_a_pin_more_time_after_a_missed_checkin_is_just_time(
    world: World,
) -> None:
    (ana,) = await world.members("ana")
    await set_pins(ana, SAFE_PIN, DURESS_PIN)
    await ana.send("/checkin 30m")
    await ana.receives(containing=said("checkin.started"))
    await world.advance(minutes=30, seconds=GRACE + 1)
    await ana.receives(containing=said("checkin.alert_sent_nobody"))
    await ana.send("/extend 30m")  # nobody to stand down: no PIN, no "they were alerted"
    extended = await ana.receives(containing=said("checkin.extended"))
    assert "contactos" not in (extended.text or "")
