"""Sealed values open only with their key, in their own table, column and row."""

from __future__ import annotations

import pytest

from storage.crypto import CryptoError, Keyring, new_key, seal, unseal


def test_round_trip_and_fresh_nonces() -> None:
    key = new_key()
    first = seal(key, b"Hotel Prueba", "checkins:details:1")
    assert unseal(key, first, "checkins:details:1") == b"Hotel Prueba"
    assert seal(key, b"Hotel Prueba", "checkins:details:1") != first


@pytest.mark.parametrize("aad", ["checkins:details:2", "checkins:location:1", "members:alias:1"])
def test_a_value_moved_to_another_row_or_column_does_not_open(aad: str) -> None:
    key = new_key()
    sealed = seal(key, b"Hotel Prueba", "checkins:details:1")
    with pytest.raises(CryptoError) as refused:
        unseal(key, sealed, aad)
    assert "Hotel" not in str(refused.value)


def test_wrong_key_does_not_open() -> None:
    with pytest.raises(CryptoError):
        unseal(new_key(), seal(new_key(), b"x", "a:b:c"), "a:b:c")


def test_wrapped_keys_and_blind_indexes() -> None:
    keyring = Keyring(new_key())
    data_key = new_key()
    assert keyring.unwrap(keyring.wrap(data_key, "member:1"), "member:1") == data_key
    with pytest.raises(CryptoError):
        Keyring(new_key()).unwrap(keyring.wrap(data_key, "member:1"), "member:1")
    keyring.load_index_root(keyring.wrap(new_key(), "system:index"))
    assert keyring.blind_index("telegram-user", "1000001") == keyring.blind_index(
        "telegram-user", "1000001"
    )
    assert keyring.blind_index("telegram-user", "1000001") != keyring.blind_index(
        "phone", "1000001"
    )


def test_a_short_master_key_is_refused() -> None:
    with pytest.raises(CryptoError):
        Keyring(b"short")
