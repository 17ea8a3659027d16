"""/privacy is four plain lines in every language and wording, and its full text names no
cipher; /help names Spanish commands in Spanish and English ones in English."""

from __future__ import annotations

import re

import pytest

from bot.i18n import languages, t
from bot.telegram.commands import TABLE

JARGON = re.compile(r"\bAES|GCM|HMAC|Argon2|\bfila\b|\bhash", re.IGNORECASE)


@pytest.mark.parametrize("language", languages())
@pytest.mark.parametrize("variant", ["", ".discreet"])
def test_privacy_is_four_plain_lines(language: str, variant: str) -> None:
    short = t(language, "privacy.text" + variant)
    assert len(short.splitlines()) == 4
    assert not JARGON.search(short)
    assert not JARGON.search(t(language, "privacy.details" + variant))


@pytest.mark.parametrize("language", languages())
@pytest.mark.parametrize("variant", ["", ".discreet"])
def test_help_names_the_commands_of_its_language(language: str, variant: str) -> None:
    lines = [t(language, "help.text" + variant, network="", coordinator="")]
    lines += [t(language, "help.network"), t(language, "help.coordinator")]
    named = set(re.findall(r"/([a-z_]+)", "\n".join(lines)))
    known = {name for command in TABLE for name in command.names()}
    assert named <= known, named - known
    spanish = {command.spanish for command in TABLE if command.spanish}
    english_only = {c.name for c in TABLE if c.spanish and c.spanish != c.name}
    if language == "es":
        assert not named & english_only, named & english_only
    else:
        assert not named & (spanish - {c.name for c in TABLE}), named & spanish
