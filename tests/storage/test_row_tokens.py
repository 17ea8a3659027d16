"""Row ids as button tokens: they turn back into the id only with the key, of their kind,
and nothing else decodes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.records import new_id
from storage.crypto import CryptoError, Keyring, RowTokens, new_key


def tokens_of(keyring: Keyring | None = None, root: bytes | None = None) -> RowTokens:
    keyring = keyring or Keyring(new_key())
    keyring.load_index_root(keyring.wrap(root or new_key(), "system:index"))
    return RowTokens(keyring)


def test_a_token_turns_back_into_its_id_and_shows_none_of_it() -> None:
    tokens = tokens_of()
    for _ in range(200):
        row_id = new_id()
        token = tokens.token("checkin", row_id)
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)
        assert tokens.row_id("checkin", token) == row_id
        assert tokens.token("checkin", row_id) == token  # same id, same token
        assert row_id[:8] not in token.lower() and token.lower() not in row_id


def test_a_token_of_another_kind_or_installation_names_another_row() -> None:
    tokens, row_id = tokens_of(), new_id()
    token = tokens.token("checkin", row_id)
    assert tokens.token("warning", row_id) != token
    assert tokens.row_id("warning", token) != row_id
    assert tokens_of().row_id("checkin", token) != row_id


def test_tokens_survive_a_rotation_of_the_master_key() -> None:
    root, row_id = new_key(), new_id()
    before = tokens_of(Keyring(new_key()), root).token("membership", row_id)
    assert tokens_of(Keyring(new_key()), root).row_id("membership", before) == row_id


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "A" * 21,
        "A" * 23,
        "A" * 21 + "=",
        "A" * 20 + "+/",
        "A" * 21 + "B",  # bits past the 16th byte: another spelling of the same block
        "²" * 22,
        "AAAAAAAAAAAAAAAAAAAA\nA",
        "0123456789abcdef0123456789abcdef",  # an id itself
    ],
)
def test_anything_but_a_token_is_none(token: str) -> None:
    assert tokens_of().row_id("checkin", token) is None


@settings(max_examples=300, derandomize=True)
@given(st.text(max_size=40))
def test_arbitrary_text_never_raises(text: str) -> None:
    result = TOKENS.row_id("checkin", text)
    assert result is None or re.fullmatch(r"[0-9a-f]{32}", result)


@pytest.mark.parametrize("row_id", ["", "abc", "0" * 31, "0" * 33, "zz" * 16, "00 " * 10 + "00"])
def test_only_a_row_id_makes_a_token(row_id: str) -> None:
    with pytest.raises(ValueError):
        tokens_of().token("checkin", row_id)


def test_no_token_before_the_index_key_is_loaded() -> None:
    with pytest.raises(CryptoError):
        RowTokens(Keyring(new_key())).token("checkin", new_id())


TOKENS = tokens_of()
