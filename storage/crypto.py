"""Crypto at rest: AES-256-GCM sealing, key wrapping and HMAC blind indexes.

The only module of the project that imports `cryptography`. Every ciphertext carries
associated data naming its table, column and row, so a sealed value copied into another
row or column does not open.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from typing import NewType

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

Sealed = NewType("Sealed", bytes)
"""A nonce followed by an AES-256-GCM ciphertext and tag."""

BlindIndex = NewType("BlindIndex", bytes)
"""A keyed HMAC-SHA256 of a looked-up value."""

KEY_BYTES = 32
_NONCE_BYTES = 12


class CryptoError(Exception):
    """A ciphertext did not open: wrong key, wrong row, or tampered. Carries no plaintext."""


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return os.urandom(KEY_BYTES)


def new_master_key_b64() -> str:
    """A fresh master key, base64, as `companera keygen` prints it."""
    return base64.b64encode(new_key()).decode("ascii")


def seal(key: bytes, plaintext: bytes, aad: str) -> Sealed:
    """Encrypt with a random 96-bit nonce, bound to `aad` (table/column/row)."""
    nonce = os.urandom(_NONCE_BYTES)
    return Sealed(nonce + AESGCM(key).encrypt(nonce, plaintext, aad.encode()))


def unseal(key: bytes, sealed: bytes, aad: str) -> bytes:
    """Decrypt a value sealed with `seal` under the same key and associated data."""
    try:
        return AESGCM(key).decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], aad.encode())
    except (InvalidTag, ValueError):
        raise CryptoError(f"sealed value did not open ({aad.split(':')[0]})") from None


def seal_text(key: bytes, text: str, aad: str) -> Sealed:
    """`seal` for text, as UTF-8."""
    return seal(key, text.encode(), aad)


def unseal_text(key: bytes, sealed: bytes, aad: str) -> str:
    """`unseal` for text sealed with `seal_text`."""
    return unseal(key, sealed, aad).decode()


def token_hash(token: str) -> bytes:
    """SHA-256 of a high-entropy random token (an invitation); no key is needed at 128 bits."""
    return hashlib.sha256(token.encode()).digest()


# argon2id with argon2-cffi's defaults (RFC 9106's second recommended option: 64 MiB,
# 3 passes, 4 lanes): about 0.1 s a hash on a small server.
_PIN_HASHER = PasswordHasher()


def hash_secret(secret: str) -> str:
    """An argon2id hash of a short secret (a PIN), salted; slow on purpose."""
    return _PIN_HASHER.hash(secret)


def secret_matches(encoded: str, secret: str) -> bool:
    """Whether `secret` is the one hashed into `encoded`; a damaged hash matches nothing."""
    try:
        return _PIN_HASHER.verify(encoded, secret)
    except (VerificationError, InvalidHashError):
        return False


def keyed_digest(key: bytes, label: str, value: str) -> bytes:
    """HMAC-SHA256 of `value` under a key derived from `key` for `label`: a member's own
    lookups (her code word), unreadable and unguessable without her data key."""
    derived = _derive(key, f"companera/v1/digest/{label}")
    return hmac.new(derived, value.encode(), hashlib.sha256).digest()


def _derive(root: bytes, label: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=label.encode()
    ).derive(root)


class Keyring:
    """The master key (KEK) and the index root key it unwraps.

    Data keys are wrapped directly under a key derived from the KEK. Blind-index keys are
    derived from an index root key stored wrapped in the database, so that rotating the
    master key only rewraps keys and never has to recompute an index.
    """

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != KEY_BYTES:
            raise CryptoError("master key must be 32 bytes")
        self._wrap_key = _derive(master_key, "companera/v1/wrap")
        self._index_keys: dict[str, bytes] = {}
        self._index_root: bytes | None = None

    def wrap(self, key: bytes, owner: str) -> Sealed:
        """Wrap a data key for `owner` (for example "member:<id>")."""
        return seal(self._wrap_key, key, f"key:{owner}")

    def unwrap(self, wrapped: bytes, owner: str) -> bytes:
        """Unwrap a data key; raises CryptoError when the master key is not the right one."""
        return unseal(self._wrap_key, wrapped, f"key:{owner}")

    def load_index_root(self, wrapped: bytes) -> None:
        """Install the index root key read from the database."""
        self._index_root = self.unwrap(wrapped, "system:index")
        self._index_keys.clear()

    def blind_index(self, label: str, value: str) -> BlindIndex:
        """HMAC of `value` under the key for `label` (for example "telegram-user")."""
        if self._index_root is None:
            raise CryptoError("index key not loaded")
        key = self._index_keys.get(label)
        if key is None:
            key = self._index_keys[label] = _derive(
                self._index_root, f"companera/v1/index/{label}"
            )
        return BlindIndex(hmac.new(key, value.encode(), hashlib.sha256).digest())

    def root_key(self, label: str) -> bytes:
        """A key derived from the index root key for `label`; like the blind-index keys, it
        does not change when the master key is rotated."""
        if self._index_root is None:
            raise CryptoError("index key not loaded")
        return _derive(self._index_root, label)


_ROW_ID_BYTES = 16
_TOKEN_CHARS = 22  # 16 bytes in base64url, unpadded


class RowTokens:
    """Row ids as opaque tokens, for data that leaves the server (a button's callback data
    stays in every Telegram client and on Telegram's servers). A token is the id's 16 bytes
    encrypted as one AES block under a key of its kind ("checkin", "warning", ...) derived
    from the index root key, in base64url without padding: 22 characters that match no
    stored value and turn back into the id only with the key. Same id, same token."""

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring
        self._keys: dict[str, Cipher[modes.ECB]] = {}

    def _cipher(self, kind: str) -> Cipher[modes.ECB]:
        cipher = self._keys.get(kind)
        if cipher is None:
            key = self._keyring.root_key(f"companera/v1/button/{kind}")
            # One block of a uniformly random id: ECB is a plain pseudorandom permutation.
            cipher = self._keys[kind] = Cipher(algorithms.AES(key), modes.ECB())
        return cipher

    def token(self, kind: str, row_id: str) -> str:
        """The token of a row id (32 hex characters); ValueError for anything else."""
        raw = bytes.fromhex(row_id) if len(row_id) == 2 * _ROW_ID_BYTES else b""
        if len(raw) != _ROW_ID_BYTES:
            raise ValueError("not a row id")
        encryptor = self._cipher(kind).encryptor()
        block = encryptor.update(raw) + encryptor.finalize()
        return base64.urlsafe_b64encode(block).rstrip(b"=").decode("ascii")

    def row_id(self, kind: str, token: str) -> str | None:
        """The row id behind a token of this kind; None for anything that is not one."""
        if len(token) != _TOKEN_CHARS or not token.isascii():
            return None
        try:
            block = base64.urlsafe_b64decode(token + "==")
        except (ValueError, binascii.Error):
            return None
        if len(block) != _ROW_ID_BYTES:
            return None
        if base64.urlsafe_b64encode(block).rstrip(b"=").decode("ascii") != token:
            return None  # another spelling of the same bytes (or + and / for - and _)
        decryptor = self._cipher(kind).decryptor()
        return (decryptor.update(block) + decryptor.finalize()).hex()
