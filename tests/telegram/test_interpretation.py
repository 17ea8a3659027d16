"""The order of interpretation (bot/telegram/interpretation.py): her code word first, except
while she chooses a new one; then her step; then what the message means with no step. And
the declared steps: every step has its feature, and a step stored as a plain string (as
the database gives it back) finds it."""

from __future__ import annotations

import pytest

from bot.core.records import Alarm, Conversation, Member
from bot.core.safety import DEFAULT_REPLY
from bot.core.warn_form import EXTRAS, FIELDS
from bot.emulator import EmulatedUser
from bot.i18n import t
from bot.telegram import interpretation
from bot.telegram.context import UpdateContext
from bot.telegram.interpretation import CONTACT, LOCATION, OTHER, TEXT, Heard, interpret
from bot.telegram.messages import step_table
from bot.telegram.steps import NO_STEP, WARN_FORM, Step, StepHandlers, StepTable
from tests.telegram import test_one_commit
from tests.telegram.test_one_commit import Bench

PHRASE = "manzanas del huerto"

# --- The table and the order, as declared


def test_every_step_is_declared_by_a_feature() -> None:
    assert step_table().declared() == set(Step)


def test_a_step_declared_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        StepTable({Step.ALIAS: StepHandlers()}, {Step.ALIAS: StepHandlers()})


def test_every_question_of_the_warn_form_is_a_step() -> None:
    asked = {Step(f"warn.{field}") for field in (*FIELDS, "review")}
    added = {Step(f"warn.ask_{extra}") for extra in EXTRAS}
    assert asked | added == WARN_FORM


@pytest.mark.parametrize("stored", [step.value for step in Step])
def test_a_step_stored_as_a_string_finds_its_handlers(stored: str) -> None:
    table = step_table()
    assert type(stored) is str  # what the database gives back: a str, not a Step
    assert table.at(Conversation(stored)) is table.at(Conversation(Step(stored)))
    assert table.at(Conversation(stored)) is not NO_STEP


def test_no_step_or_an_unknown_one_means_no_step() -> None:
    table = step_table()
    assert table.at(None) is NO_STEP
    assert table.at(Conversation("a.step.of.long.ago")) is NO_STEP


def test_the_order_of_interpretation() -> None:
    i = interpretation
    assert TEXT == (i.codeword, i.done_words, i.step_text, i.free_text)
    assert LOCATION == (i.step_location, i.checkin_location)
    assert CONTACT == (i.step_contact, i.checked_contact)
    assert OTHER == (i.step_other, i.not_understood)


async def test_the_first_reading_that_takes_the_message_wins() -> None:
    tried: list[str] = []

    def reading(name: str, takes: bool) -> interpretation.Reading:
        async def read(context: UpdateContext, heard: Heard) -> bool:
            tried.append(name)
            return takes

        return read

    readings = (reading("a", False), reading("b", True), reading("c", True))
    heard = Heard(None, None, NO_STEP, None)  # type: ignore[arg-type]
    await interpret(readings, None, heard)  # type: ignore[arg-type]
    assert tried == ["a", "b"]


# --- The order, as she lives it


bench = test_one_commit.bench  # the application alone, handed updates one by one


async def opened(bench: Bench) -> EmulatedUser:
    ana = bench.emulator.user("ana")
    await ana.send("/start")
    await ana.send("Ana")
    await answers(bench, ana)
    return ana


async def answers(bench: Bench, ana: EmulatedUser) -> list[str]:
    """What the bot said to her since she last looked."""
    before = len(ana.inbox())
    await bench.handle_all()
    await bench.deliver()
    return [m.text or "" for m in ana.inbox()[before:]]


async def member(bench: Bench, ana: EmulatedUser) -> Member:
    async with bench.core.db.unit_of_work() as uow:
        found = await uow.members.find_by_telegram(ana.id)
    assert found is not None
    return found


async def stored_step(bench: Bench, ana: EmulatedUser) -> str | None:
    conversation = (await member(bench, ana)).conversation
    return conversation.step if conversation else None


async def store_step(bench: Bench, ana: EmulatedUser, step: str, **data: str) -> None:
    """Her step as an older version of the bot stored it: plain strings."""
    found = await member(bench, ana)
    async with bench.core.db.unit_of_work() as uow:
        await uow.members.set_conversation(found.id, Conversation(step, data))
        await uow.commit()


async def alarm(bench: Bench, ana: EmulatedUser) -> Alarm | None:
    """The alarm of her newest check-in that is not over (a code word's is hidden from her)."""
    found = await member(bench, ana)
    async with bench.core.db.unit_of_work() as uow:
        running = await uow.checkins.all_open_for(found.id)
    return max(running, key=lambda checkin: checkin.started_at).alarm if running else None


async def test_her_code_word_comes_before_her_step(bench: Bench) -> None:
    ana = await opened(bench)
    await ana.send(f"/codeword {PHRASE}")
    await ana.send("/alias")  # she is asked for a new alias
    await answers(bench, ana)
    assert await stored_step(bench, ana) == Step.ALIAS
    await ana.send(PHRASE)
    assert await answers(bench, ana) == [t("es", f"codeword.reply.{DEFAULT_REPLY}")]
    assert await alarm(bench, ana) == Alarm.CODEWORD
    assert await stored_step(bench, ana) == Step.ALIAS  # the phrase was no alias
    assert (await member(bench, ana)).alias == "Ana"


async def test_her_code_word_answers_the_same_with_or_without_a_step(bench: Bench) -> None:
    ana = await opened(bench)
    await ana.send(f"/codeword {PHRASE}")
    await answers(bench, ana)
    await ana.send(PHRASE)
    without_step = await answers(bench, ana)
    await ana.send("/check")
    await answers(bench, ana)
    await ana.send(PHRASE)
    assert await answers(bench, ana) == without_step


async def test_while_she_chooses_a_new_phrase_the_old_one_is_no_alarm(bench: Bench) -> None:
    ana = await opened(bench)
    await ana.send(f"/codeword {PHRASE}")
    await answers(bench, ana)
    await store_step(bench, ana, "codeword.phrase")
    await ana.send(PHRASE)
    said = await answers(bench, ana)
    assert said[0] in (t("es", "codeword.saved_deleted"), t("es", "codeword.saved_kept"))
    assert await alarm(bench, ana) is None


async def test_her_step_comes_before_free_text(bench: Bench) -> None:
    ana = await opened(bench)
    await ana.send("/alias")
    await answers(bench, ana)
    await ana.send("Luna")
    assert await answers(bench, ana) == [t("es", "alias.saved", alias="Luna")]
    assert await stored_step(bench, ana) is None


async def test_free_text_with_no_step_gets_a_hint(bench: Bench) -> None:
    ana = await opened(bench)
    await ana.send("hola")
    assert await answers(bench, ana) == [t("es", "hint.free_text")]


async def test_a_step_stored_as_a_string_still_takes_her_answer(bench: Bench) -> None:
    ana = await opened(bench)
    await store_step(bench, ana, "checkin.duration")
    await ana.send("45m")
    said = await answers(bench, ana)
    assert said[0].startswith(t("es", "checkin.started").split("{", 1)[0])
    assert await stored_step(bench, ana) == Step.CHECKIN_DETAILS


async def test_a_step_that_declines_leaves_the_text_to_no_step(bench: Bench) -> None:
    ana = await opened(bench)
    await store_step(bench, ana, "checkin.details", checkin_id="a-check-in-that-ended")
    await ana.send("Hotel Prueba, placa TEST-000")
    assert await answers(bench, ana) == [t("es", "hint.free_text")]
    assert await stored_step(bench, ana) is None


async def test_a_pin_at_the_area_step_chooses_areas(bench: Bench) -> None:
    ana = await opened(bench)
    await store_step(bench, ana, "areas.pin")
    await ana.send_location(19.43, -99.13)
    assert await answers(bench, ana) == [t("es", "areas.pin_none")]
    assert await stored_step(bench, ana) is None


async def test_a_live_location_at_the_area_step_goes_with_her_checkin(bench: Bench) -> None:
    ana = await opened(bench)
    await store_step(bench, ana, "areas.pin")
    await ana.send_location(19.43, -99.13, live_period=900)
    assert await answers(bench, ana) == [t("es", "hint.location_without_checkin")]
    assert await stored_step(bench, ana) == Step.AREAS_PIN


async def test_a_contact_card_with_no_step_is_checked(bench: Bench) -> None:
    ana = await opened(bench)
    await ana.send_contact("+52 55 1234 5678")
    assert await answers(bench, ana) == [t("es", "check.error.not_member")]


async def test_a_photo_in_the_warn_form_goes_on_with_the_form(bench: Bench) -> None:
    ana = await opened(bench)
    await store_step(bench, ana, "warn.kind", draft="d1", network="n1")
    await ana.send_photo()
    said = await answers(bench, ana)
    assert said[:2] == [t("es", "warn.hint.not_text"), t("es", "warn.ask.kind")]
    assert await stored_step(bench, ana) == Step.WARN_KIND


async def test_a_photo_with_no_step_is_not_understood(bench: Bench) -> None:
    ana = await opened(bench)
    await ana.send_photo()
    assert await answers(bench, ana) == [t("es", "hint.not_understood")]
