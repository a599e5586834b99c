"""The vault that seals stored tokens: its key from CZUJKA_SECRET_KEY or a key file only its owner reads."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from czujka.storage.vault import KEY_FILE, Vault, VaultError, load_vault

KEY = "k" * 40


def test_key_file_is_made_once_and_only_its_owner_reads_it(tmp_path):
    first = load_vault(tmp_path / "data", None)
    key = tmp_path / "data" / KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600
    sealed = first.seal("EAAB-page-token")
    assert "EAAB" not in sealed
    assert load_vault(tmp_path / "data", None).open(sealed) == "EAAB-page-token"
    key.chmod(0o644)  # loosened by hand: tightened again
    load_vault(tmp_path / "data", None)
    assert key.stat().st_mode & 0o777 == 0o600


def test_secret_key_rotation_and_wrong_keys():
    old = Vault(["o" * 40])
    sealed = old.seal("token")
    assert load_vault(None, f"{'n' * 40},{'o' * 40}").open(sealed) == "token"  # type: ignore[arg-type]
    with pytest.raises(VaultError, match="not the key it was stored with"):
        Vault(["n" * 40]).open(sealed)
    with pytest.raises(VaultError, match="at least 32 characters"):
        load_vault(None, "short")  # type: ignore[arg-type]


def test_an_empty_key_file_is_a_clear_error(tmp_path):
    (tmp_path / KEY_FILE).write_text("")
    with pytest.raises(VaultError, match="empty or too short"):
        load_vault(tmp_path, None)


@given(st.text(max_size=300))
def test_any_text_comes_back(secret):
    vault = Vault([KEY])
    assert vault.open(vault.seal(secret)) == secret
