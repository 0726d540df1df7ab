"""Sealing what reporters and handlers write, so it is never stored in plain text.

Fernet (cryptography) gives authenticated encryption with a timestamped token; `MultiFernet`
lets an operator rotate keys: `SNP_ENCRYPTION_KEY` may list several comma-separated keys, the
first seals and any of them opens. Without the variable, a key is generated once into a file
readable only by its owner (0600) beside the embedded database. A server database needs the
variable: two servers each generating their own key would each read only half the tickets.

The same key also yields (by HKDF) an HMAC key for digests: the person reported is stored as a
digest of their email, enough to test "is this the person reported?" and nothing more.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.config import ConfigurationError

KEY_FILE = "snp-bot.key"


class EncryptionKeyError(ConfigurationError):
    """The encryption key is missing, malformed or unreadable (the message says which and what to do)."""


class SealError(Exception):
    """A sealed text could not be opened: a wrong key, or tampered data."""


class Sealer:
    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise EncryptionKeyError("no encryption key given")
        try:
            self._fernet = MultiFernet([Fernet(key) for key in keys])
        except (ValueError, TypeError) as exc:
            raise EncryptionKeyError("SNP_ENCRYPTION_KEY must be a Fernet key: 32 url-safe base64-encoded bytes "
                            "(make one with `snp-bot db key`)") from exc
        self._digest_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                                info=b"snp-bot subject digest").derive(keys[0])

    def seal(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode("utf-8"))

    def open(self, sealed: bytes) -> str:
        try:
            return self._fernet.decrypt(sealed).decode("utf-8")
        except InvalidToken as exc:
            raise SealError("sealed text cannot be opened with the configured key") from exc

    def digest(self, value: str) -> str:
        """A keyed digest of a normalised email: equal inputs give equal digests, and nobody
        without the key can test a guess against it."""
        return hmac.new(self._digest_key, value.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def load_sealer(configured: str, key_dir: Path | None) -> Sealer:
    """The sealer for `SNP_ENCRYPTION_KEY`, or for the key file in `key_dir` (created on first use).

    `key_dir` is None for a server database, where a missing variable is an error rather than a
    quietly generated key.
    """
    if configured.strip():
        return Sealer([part.strip().encode("ascii") for part in configured.split(",") if part.strip()])
    if key_dir is None:
        raise EncryptionKeyError("SNP_ENCRYPTION_KEY must be set when SNP_DATABASE_URL is not an SQLite file "
                        "(every server must share the key); make one with `snp-bot db key`")
    return Sealer([_key_file(key_dir / KEY_FILE)])


def _key_file(path: Path) -> bytes:
    """Read the key file, or create it with mode 0600 atomically (O_EXCL) if it does not exist."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            return path.read_bytes().strip()
        except OSError as exc:
            raise EncryptionKeyError(f"cannot read the key file {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "w") as handle:
        handle.write(new_key() + "\n")
    return path.read_bytes().strip()
