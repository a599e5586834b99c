"""Secrets kept at rest encrypted (the Page tokens of connected profiles), with the `cryptography` package.

The key is `CZUJKA_SECRET_KEY` (any long random string; several, comma-separated, to rotate: the first
encrypts, all decrypt), or else a key generated once into `secret.key` in the data directory, readable only
by its owner. The key never sits beside the ciphertext in the database, so a copied database file reveals
no token.
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from czujka.logs import get_logger

KEY_FILE = "secret.key"
MIN_KEY_LENGTH = 32
log = get_logger(__name__)


class VaultError(Exception):
    """The key is missing, too short, unreadable, or not the one the secrets were encrypted with."""


def _fernet(material: str) -> Fernet:
    """A Fernet key derived from any string, so an operator may use a password manager's long phrase."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"czujka vault", info=b"tokens").derive(
        material.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


class Vault:
    def __init__(self, keys: list[str]):
        if not keys:
            raise VaultError("no key to encrypt with")
        self._fernet = MultiFernet([_fernet(k) for k in keys])

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise VaultError(
                "a stored token cannot be decrypted: CZUJKA_SECRET_KEY (or secret.key in the data directory) "
                "is not the key it was stored with; restore that key, or connect the profile again"
            ) from None


def load_vault(data_dir: Path, secret_key: str | None) -> Vault:
    """The vault of `CZUJKA_SECRET_KEY`, or of the data directory's key file, made on first use."""
    if secret_key is not None:
        keys = [k.strip() for k in secret_key.split(",") if k.strip()]
        short = [i for i, k in enumerate(keys) if len(k) < MIN_KEY_LENGTH]
        if not keys or short:
            raise VaultError(
                f"CZUJKA_SECRET_KEY must be at least {MIN_KEY_LENGTH} characters (each, when several are "
                "comma-separated); make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return Vault(keys)
    return Vault([_key_file(data_dir / KEY_FILE)])


def _key_file(path: Path) -> str:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise VaultError(
            f"{path}: cannot create the key file ({exc.strerror}); set CZUJKA_SECRET_KEY"
        ) from None
    else:
        with os.fdopen(fd, "w") as file:
            file.write(Fernet.generate_key().decode() + "\n")
        log.info("vault key generated", path=str(path))
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(0o600)
            log.warning("vault key was readable by others; now only by its owner", path=str(path))
        key = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise VaultError(f"{path}: cannot read the key file ({exc}); set CZUJKA_SECRET_KEY") from None
    if len(key) < MIN_KEY_LENGTH:
        raise VaultError(f"{path}: the key file is empty or too short; restore it or set CZUJKA_SECRET_KEY")
    return key
