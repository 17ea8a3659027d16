"""A PIN is stored as an argon2id hash with at least RFC 9106's second recommended cost
(64 MiB, 3 passes): the threat model's guessing times assume it."""

from __future__ import annotations

import re

from storage.crypto import hash_secret, secret_matches


def test_a_pin_is_an_argon2id_hash_of_64_mib_and_3_passes() -> None:
    encoded = hash_secret("482913")
    match = re.fullmatch(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+", encoded)
    assert match is not None
    memory_kib, passes, _lanes = (int(part) for part in match.groups())
    assert memory_kib >= 64 * 1024 and passes >= 3
    assert "482913" not in encoded
    assert hash_secret("482913") != encoded  # salted
    assert secret_matches(encoded, "482913") and not secret_matches(encoded, "482914")
