"""Sealing report text: keys from the environment or a 0600 file, rotation, and clear errors."""

from __future__ import annotations

import stat

import pytest

from bot.confidential import EncryptionKeyError, Sealer, SealError, load_sealer, new_key


def test_a_key_file_is_made_once_readable_only_by_its_owner(tmp_path):
    first = load_sealer("", tmp_path)
    sealed = first.seal("what happened")
    key_file = tmp_path / "snp-bot.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_sealer("", tmp_path).open(sealed) == "what happened"


def test_sealed_text_does_not_contain_the_words():
    sealer = Sealer([new_key().encode()])
    assert b"ward whiteboard" not in sealer.seal("a photo of the ward whiteboard")


def test_a_server_database_needs_the_key_in_the_environment():
    with pytest.raises(EncryptionKeyError, match="SNP_ENCRYPTION_KEY must be set"):
        load_sealer("", None)


def test_a_malformed_key_is_named():
    with pytest.raises(EncryptionKeyError, match="SNP_ENCRYPTION_KEY must be a Fernet key"):
        load_sealer("not-a-key", None)


def test_rotation_new_key_first_still_opens_text_sealed_with_the_old_one():
    old, new = new_key(), new_key()
    sealed = load_sealer(old, None).seal("note")
    rotated = load_sealer(f"{new},{old}", None)
    assert rotated.open(sealed) == "note"
    with pytest.raises(SealError):
        load_sealer(new, None).open(sealed)


def test_digests_match_for_the_same_email_whatever_its_case_and_differ_by_key():
    key = new_key()
    assert Sealer([key.encode()]).digest("Jo@Trust.nhs.uk ") == Sealer([key.encode()]).digest("jo@trust.nhs.uk")
    assert Sealer([key.encode()]).digest("jo@trust.nhs.uk") != Sealer([new_key().encode()]).digest("jo@trust.nhs.uk")
