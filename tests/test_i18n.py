"""Every message id used in the code exists in every catalog, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES, languages, t
from bot.telegram.steps import Step

ROOT = Path(__file__).parent.parent / "bot"
KEY = re.compile(
    r'"((?:alert|alias|button|checkin|codeword|command|contact|contacts|duration|error|'
    r"extend|help|hint|invite|language|pin|privacy|sos|start|network|warn|warning|check|"
    r'moderation|areas|forget|members|clean|discreet|phrases|record)\.[a-z0-9_.]+)"'
)
NOT_MESSAGES = {
    "checkin.step",  # a log event
    "alert.location",  # notification kinds
    "alert.missed",
    "record.export",  # a notification kind
    "warn.ask_",  # a prefix
    "forget.held_by_duress",  # a log event
}


def test_every_reply_a_code_word_can_give_is_translated() -> None:
    from bot.core.safety import CODEWORD_REPLIES

    for language in languages():
        texts = catalog(language)
        for choice in CODEWORD_REPLIES:
            key = "codeword.choice.none" if choice == "none" else f"codeword.reply.{choice}"
            assert texts.get(key), (language, key)
        for alarm in ("missed", "sos", "codeword", "duress"):
            assert texts.get(f"alert.{alarm}.title"), (language, alarm)


def catalog(language: str) -> dict[str, str]:
    """Every message by key; a counted message's forms joined, one a line."""
    with (LOCALES / language / "LC_MESSAGES" / "companera.po").open("rb") as po:
        return {
            m.id[0] if isinstance(m.id, tuple) else m.id: (
                "\n".join(m.string) if isinstance(m.string, tuple) else m.string
            )
            for m in read_po(po)
            if m.id
        }


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def used_keys() -> set[str]:
    keys = set()
    for path in ROOT.rglob("*.py"):
        keys |= set(KEY.findall(path.read_text()))
    steps = {str(step) for step in Step}  # where she is in a flow, stored: not messages
    return keys - NOT_MESSAGES - steps


def test_spanish_and_english_are_there() -> None:
    assert languages()[:2] == ["en", "es"]


@pytest.mark.parametrize("language", languages())
def test_every_key_used_in_the_code_is_translated(language: str) -> None:
    missing = used_keys() - set(catalog(language))
    assert not missing, f"{language} lacks {sorted(missing)}"


@pytest.mark.parametrize("language", languages())
def test_placeholders_match_spanish(language: str) -> None:
    spanish, other = catalog("es"), catalog(language)
    for key, text in spanish.items():
        assert placeholders(other[key]) == placeholders(text), key
        assert other[key].strip(), key


def test_unknown_language_falls_back_to_spanish() -> None:
    assert t("xx", "language.saved") == t("es", "language.saved")


@pytest.mark.parametrize("language", languages())
def test_every_published_command_has_a_description(language: str) -> None:
    from bot.telegram.commands import TABLE

    texts = catalog(language)
    assert all(texts.get(c.description) for c in TABLE if c.description)


def test_every_choice_of_a_warning_is_translated() -> None:
    from bot.core.warn_form import EXTRAS, KINDS, WHEN
    from bot.core.warnings import DECISIONS

    keys = [f"warning.kind.{k}" for k in KINDS]
    keys += [f"button.when.{w}" for w in WHEN] + [f"warning.when.{w}" for w in WHEN]
    keys += [f"button.add_{e}" for e in EXTRAS] + [f"warn.ask.{e}" for e in EXTRAS]
    keys += [f"button.change_{f}" for f in ("network", "kind", "area", "when", "text", *EXTRAS)]
    keys += [f"moderation.done.{d}" for d in DECISIONS]
    keys += [f"warning.marked.{m}" for m in ("me_too", "flags")]
    keys += [f"warning.error.{m}_again" for m in ("me_too", "flags")]
    for language in languages():
        texts = catalog(language)
        missing = [key for key in keys if not texts.get(key)]
        assert not missing, (language, missing)


@pytest.mark.parametrize("language", languages())
def test_a_discreet_variant_needs_no_more_than_its_plain_message(language: str) -> None:
    texts = catalog(language)
    variants = [k for k in texts if k.endswith(".discreet") and not k.startswith("command.")]
    assert len(variants) > 10
    for key in variants:
        plain = key.removesuffix(".discreet")
        assert plain in texts, key
        assert placeholders(texts[key]) <= placeholders(texts[plain]), key


COMMAND_TOKEN = re.compile(r"(?<![\w/])/([a-z0-9_]+)(?![\w/])")


def test_spanish_texts_name_the_spanish_commands() -> None:
    """A Spanish text tells her to type /cita, not /checkin: every command that has a Spanish
    name in the table is named by it in every Spanish message (variants included)."""
    from bot.telegram.commands import TABLE

    spanish = {
        english: command.spanish
        for command in TABLE
        if command.spanish
        for english in (command.name, *command.also)
        if english != command.spanish
    }
    wrong = []
    with (LOCALES / "es" / "LC_MESSAGES" / "companera.po").open("rb") as po:
        for message in read_po(po):
            if not message.id:
                continue
            texts = message.string if isinstance(message.string, tuple) else (message.string,)
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            for text in texts:
                for name in COMMAND_TOKEN.findall(text or ""):
                    if name in spanish:
                        wrong.append(f"{key}: /{name} -> /{spanish[name]}")
    assert not wrong, "\n".join(wrong)


def test_the_command_check_reads_words_not_parts_of_words() -> None:
    assert COMMAND_TOKEN.findall("usa /checkin, /check y /cita. https://t.me/x a/b") == [
        "checkin",
        "check",
        "cita",
    ]
