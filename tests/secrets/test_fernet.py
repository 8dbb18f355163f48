import base64

import pytest
from cryptography.fernet import Fernet

from brisa.errors import SecretsError
from brisa.secrets.fernet import FernetCodec, derive_key, generate_key

SEED_LITERAL = '$(python "contrib/generate_fernet_key.py")'


def test_round_trip_of_unicode_text():
    codec = FernetCodec.from_setting(generate_key())
    token = codec.encrypt("pässwörd ✓")
    assert token != "pässwörd ✓"
    assert codec.decrypt(token) == "pässwörd ✓"


def test_generated_key_is_a_valid_fernet_key():
    key = generate_key()
    assert len(key) == 44
    Fernet(key)


def test_first_key_encrypts_and_every_key_decrypts():
    new, old = generate_key(), generate_key()
    old_token = FernetCodec.from_setting(old).encrypt("v")
    codec = FernetCodec.from_setting(f" {new} , {old} ,")
    assert codec.key_count == 2
    assert codec.decrypt(old_token) == "v"
    assert FernetCodec.from_setting(new).decrypt(codec.encrypt("w")) == "w"


def test_rotate_re_encrypts_with_the_first_key():
    new, old = generate_key(), generate_key()
    old_token = FernetCodec.from_setting(old).encrypt("secret")
    rotated = FernetCodec.from_setting(f"{new},{old}").rotate(old_token)
    assert FernetCodec.from_setting(new).decrypt(rotated) == "secret"


def test_a_token_from_another_key_is_an_error_not_plaintext():
    token = FernetCodec.from_setting(generate_key()).encrypt("secret")
    with pytest.raises(SecretsError, match=r"cannot decrypt .* with the configured fernet key"):
        FernetCodec.from_setting(generate_key()).decrypt(token)


@pytest.mark.parametrize("token", ["plain text", "gAAAAAB-garbage", "", "non-ascii ✓"])
def test_garbage_tokens_are_errors(token):
    with pytest.raises(SecretsError, match="cannot decrypt"):
        FernetCodec.from_setting(generate_key()).decrypt(token)


def test_rotating_an_undecryptable_token_is_an_error():
    token = FernetCodec.from_setting(generate_key()).encrypt("x")
    with pytest.raises(SecretsError, match="cannot decrypt"):
        FernetCodec.from_setting(generate_key()).rotate(token)


@pytest.mark.parametrize("value", [None, "", " , "])
def test_no_key_and_no_secret_key_explains_how_to_make_one(value):
    with pytest.raises(SecretsError, match="brisa fernet-key generate"):
        FernetCodec.from_setting(value, secret_key=None)


def test_seed_posts_unexpanded_command_is_named_as_such():
    with pytest.raises(SecretsError, match=r"unexpanded shell command") as info:
        FernetCodec.from_setting(SEED_LITERAL)
    assert "fernet_key_cmd" in str(info.value)


def test_not_base64_is_a_clear_error():
    with pytest.raises(SecretsError, match="not a valid Fernet key: a key is 44 characters"):
        FernetCodec.from_setting("not a key!")


def test_wrong_length_is_a_clear_error_naming_the_key_position():
    short = base64.urlsafe_b64encode(b"x" * 16).decode()
    with pytest.raises(SecretsError, match=r"key 2 of 2 .* decodes to 16 bytes, not 32"):
        FernetCodec.from_setting(f"{generate_key()},{short}")


def test_error_messages_do_not_contain_the_key():
    bad = base64.urlsafe_b64encode(b"k" * 20).decode()
    with pytest.raises(SecretsError) as info:
        FernetCodec.from_setting(bad)
    assert bad not in str(info.value)


def test_key_is_derived_from_a_platform_generated_secret():
    secret = "9f" * 32  # what Heroku's `generator: secret` makes: 64 hex characters
    codec = FernetCodec.from_setting(None, secret_key=secret)
    assert codec.derived
    again = FernetCodec.from_setting("", secret_key=secret)
    assert again.decrypt(codec.encrypt("x")) == "x"
    Fernet(derive_key(secret))
    assert derive_key(secret) == derive_key(secret)
    assert derive_key(secret) != derive_key(secret + "0")


def test_derived_key_can_be_listed_after_a_new_explicit_key():
    secret = "generated-by-the-platform"
    token = FernetCodec.from_setting(None, secret_key=secret).encrypt("x")
    codec = FernetCodec.from_setting(f"{generate_key()},{derive_key(secret)}", secret_key=secret)
    assert not codec.derived
    assert codec.decrypt(token) == "x"


def test_an_explicit_key_wins_over_the_secret_key():
    key = generate_key()
    codec = FernetCodec.from_setting(key, secret_key="ignored-secret")
    assert FernetCodec.from_setting(key).decrypt(codec.encrypt("x")) == "x"


def test_an_empty_secret_key_cannot_be_derived_from():
    with pytest.raises(SecretsError):
        derive_key("  ")
