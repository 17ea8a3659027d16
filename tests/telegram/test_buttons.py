"""Button data as sent: every field that names a row is a token, and comes back as the id."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram.buttons import open_fields, seal_data, seal_markup
from storage.crypto import Keyring, RowTokens, new_key

ID = "0f619bab634e9a3d6ec63903a4f7cbc0"  # fixed: every xdist worker collects the same ids
AREA = "a" * 32  # the longest area id a network's YAML may give


def tokens() -> RowTokens:
    keyring = Keyring(new_key())
    keyring.load_index_root(keyring.wrap(new_key(), "system:index"))
    return RowTokens(keyring)


TOKENS = tokens()

NAMING_A_ROW = [
    f"iv:ok:{ID}",
    f"iv:no:{ID}",
    f"ck:done:{ID}",
    f"ck:safe:{ID}",
    f"ck:ext:{ID}:60",
    f"so:sos:{ID}",
    f"so:ok:{ID}",
    f"al:ack:{ID}",
    f"al:loc:{ID}",
    f"dn:detail:{ID}",
    f"ct:rm:{ID}",
    f"ct:leave:{ID}",
    *(f"mo:{d}:{ID}" for d in ("approve", "trust", "edit", "reject", "keep", "remove")),
    f"wn:me:{ID}",
    f"wn:flag:{ID}",
    f"nw:pass:{ID}",
    f"nw:list:{ID}:9999",
    f"nw:leave:{ID}",
    f"nw:bye:{ID}",
    f"nw:tr:{ID}:9999",
    f"nw:rm:{ID}",
    f"nw:rmok:{ID}",
    f"wf:0a1b2c3d:network:{ID}",
    f"ar:{ID}:{AREA}",
]


@pytest.mark.parametrize("data", NAMING_A_ROW)
def test_a_row_id_leaves_as_a_token_and_comes_back(data: str) -> None:
    sent = seal_data(data, TOKENS)
    assert ID not in sent and ID[:8] not in sent
    assert len(sent.encode()) <= 64
    prefix, *fields = sent.split(":")
    assert open_fields(prefix, fields, TOKENS) == data.split(":")[1:]


def test_a_button_sent_before_ids_became_tokens_still_works() -> None:
    assert open_fields("al", ["ack", ID], TOKENS) == ["ack", ID]


@pytest.mark.parametrize(
    "data", ["ck:new:30", "ck:other", "fg:yes", "fg:no", "lg:es", "tz:3", "wf:0a1b2c3d:kind:x"]
)
def test_data_that_names_no_row_goes_as_it_is(data: str) -> None:
    assert seal_data(data, TOKENS) == data


def test_a_forged_token_opens_to_nothing() -> None:
    assert open_fields("ck", ["safe", "x"], TOKENS) is None
    assert open_fields("ck", ["safe", ID[:12]], TOKENS) is None
    assert open_fields("ck", ["safe", ID.upper()], TOKENS) is None
    checkin = seal_data(f"ck:safe:{ID}", TOKENS).split(":")[2]
    assert open_fields("wn", ["me", checkin], TOKENS) != ["me", ID]


def test_a_keyboard_is_sealed_button_by_button() -> None:
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Sí", callback_data=f"al:ack:{ID}")],
            [InlineKeyboardButton("web", url="https://example.org")],
        ]
    )
    sealed = seal_markup(markup, TOKENS)
    assert sealed is not None
    assert ID not in str(sealed.to_dict())
    assert sealed.inline_keyboard[0][0].text == "Sí"
    assert sealed.inline_keyboard[1][0].url == "https://example.org"
