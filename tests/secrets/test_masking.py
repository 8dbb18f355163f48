import json
from enum import Enum
from urllib.parse import quote, quote_plus

import pytest

from brisa.secrets.masking import DEFAULT_SENSITIVE_FIELDS, SecretsMasker, is_sensitive_name


def masker_with(*secrets: str, **kwargs) -> SecretsMasker:
    masker = SecretsMasker(**kwargs)
    for secret in secrets:
        masker.add(secret)
    return masker


def test_mask_replaces_a_secret_inside_longer_text():
    masker = masker_with("hunter2-secret")
    assert masker.mask("login with hunter2-secret now, hunter2-secret!") == "login with *** now, ***!"


def test_mask_without_secrets_returns_the_text_unchanged():
    text = "nothing to hide"
    assert SecretsMasker().mask(text) is text


def test_longest_secret_wins_when_secrets_overlap():
    masker = masker_with("password", "password123")
    assert masker.mask("x password123 y") == "x *** y"


def test_json_escaped_form_is_masked():
    secret = 'pa"ss\\wörd'
    document = json.dumps({"conn": secret})
    assert secret not in document  # the raw form is not what appears
    masked = masker_with(secret).mask(document)
    assert masked == '{"conn": "***"}'


@pytest.mark.parametrize("encode", [quote, lambda s: quote(s, safe=""), quote_plus])
def test_url_quoted_forms_are_masked(encode):
    secret = "p@ss wörd/1"
    url = f"postgresql://user:{encode(secret)}@db.example.com/app"
    assert masker_with(secret).mask(url) == "postgresql://user:***@db.example.com/app"


def test_secrets_shorter_than_the_minimum_are_not_registered():
    masker = masker_with("abcd")
    assert masker.secret_count == 0
    assert masker.mask("abcd") == "abcd"
    assert masker_with("abcde").mask("abcde") == "***"


def test_minimum_length_is_configurable():
    assert masker_with("abc", min_length=3).mask("xabcx") == "x***x"


def test_common_words_are_never_masked():
    masker = masker_with("airflow", "Airflow", "brisa")
    assert masker.mask("airflow and brisa") == "airflow and brisa"


def test_named_value_is_registered_only_under_a_sensitive_name():
    masker = SecretsMasker()
    masker.add("visible-value", name="hostname")
    masker.add("hidden-value", name="db_password")
    assert masker.mask("visible-value hidden-value") == "visible-value ***"


def test_dicts_register_values_under_their_keys_and_lists_every_item():
    masker = SecretsMasker()
    masker.add({"api_key": "key-1234567", "region": "eu-west-1", "nested": {"token": "tok-98765"}})
    masker.add(["list-secret-1", "list-secret-2"])
    text = "key-1234567 eu-west-1 tok-98765 list-secret-1 list-secret-2"
    assert masker.mask(text) == "*** eu-west-1 *** *** ***"


def test_non_string_scalars_are_ignored_by_add():
    masker = SecretsMasker()
    masker.add(123456789)
    assert masker.secret_count == 0


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "DB_PASSWORD",
        " my_api_key ",
        "Authorization",
        "aws_secret_access_key",
        "keyfile_dict",
        "proxies",
    ],
)
def test_sensitive_names_match_by_substring_in_any_case(name):
    assert SecretsMasker().should_hide_value_for_key(name)


@pytest.mark.parametrize("name", ["host", "login", "port", "", None, 42])
def test_ordinary_names_are_not_sensitive(name):
    assert not SecretsMasker().should_hide_value_for_key(name)


def test_default_list_is_airflows():
    assert {"access_token", "api_key", "apikey", "authorization", "passphrase", "passwd", "password"} <= (
        DEFAULT_SENSITIVE_FIELDS
    )
    assert {"private_key", "secret", "token", "keyfile_dict", "service_account"} <= DEFAULT_SENSITIVE_FIELDS


def test_extra_sensitive_names_are_configurable():
    masker = SecretsMasker(extra_sensitive_names=[" Pin_Code ", ""])
    assert masker.should_hide_value_for_key("user_pin_code")
    assert is_sensitive_name("user_pin_code", ["pin_code"])
    assert not is_sensitive_name("user_pin_code")


def test_hiding_by_name_can_be_switched_off():
    masker = SecretsMasker(hide_sensitive_names=False)
    assert not masker.should_hide_value_for_key("password")
    assert masker.redact({"password": "x"}) == {"password": "x"}


def test_redact_hides_whole_values_of_sensitive_keys_at_any_depth():
    masker = SecretsMasker()
    conn = {
        "host": "db.example.com",
        "password": "hunter2",
        "extra": {
            "service_account": {"type": "sa", "key": "-----BEGIN"},
            "tokens": ["a", "b"],
            "pin_password": 1234,
        },
        "none_secret": None,
    }
    assert masker.redact(conn) == {
        "host": "db.example.com",
        "password": "***",
        "extra": {
            "service_account": {"type": "***", "key": "***"},
            "tokens": ["***", "***"],
            "pin_password": "***",
        },
        "none_secret": None,
    }


def test_redact_keeps_none_under_a_sensitive_key():
    assert SecretsMasker().redact({"password": None}) == {"password": None}


def test_redact_masks_registered_secrets_in_ordinary_values():
    masker = masker_with("s3cr3t-value")
    result = masker.redact({"cmd": "curl -u me:s3cr3t-value", "args": ("s3cr3t-value", 7), "n": 7})
    assert result == {"cmd": "curl -u me:***", "args": ("***", 7), "n": 7}


def test_redact_with_a_sensitive_name_hides_everything():
    assert SecretsMasker().redact(["a", {"b": "c"}], name="secret") == ["***", {"b": "***"}]


def test_redact_turns_sets_into_tuples_and_unwraps_enums():
    class Colour(Enum):
        RED = "s3cr3t-value"

    masker = masker_with("s3cr3t-value")
    assert masker.redact({"s3cr3t-value"}) == ("***",)
    assert masker.redact(Colour.RED) == "***"


def test_redact_does_not_change_its_input():
    conn = {"password": "hunter2", "extra": {"token": "abcdef"}}
    SecretsMasker().redact(conn)
    assert conn == {"password": "hunter2", "extra": {"token": "abcdef"}}


def test_below_max_depth_names_are_not_judged_but_registered_secrets_are_masked():
    masker = masker_with("s3cr3t-value")
    deep = {"a": {"b": {"c": "s3cr3t-value", "password": "not-registered"}}}
    assert masker.redact(deep, max_depth=1) == {"a": {"b": {"c": "***", "password": "not-registered"}}}
    assert masker.redact(deep, max_depth=3) == {"a": {"b": {"c": "***", "password": "***"}}}


def test_redact_masks_registered_secrets_at_any_depth():
    masker = masker_with("s3cr3t-value")
    deep: object = ["s3cr3t-value in a string"]
    for _ in range(20):
        deep = {"level": [deep]}
    walked = masker.redact(deep)
    for _ in range(20):
        walked = walked["level"][0]
    assert walked == ["*** in a string"]


def test_redact_hides_what_lies_below_the_deepest_level_and_survives_cycles():
    cycle: list = ["visible"]
    cycle.append(cycle)
    walked = SecretsMasker().redact(cycle)
    for _ in range(30):
        assert walked[0] == "visible"
        walked = walked[1]
    node = walked
    while isinstance(node, list):
        node = node[1]
    assert node == "***"


def test_one_compiled_pattern_is_reused_until_a_new_secret_arrives():
    masker = masker_with("first-secret")
    pattern = masker._pattern
    masker.mask("first-secret")
    masker.add("first-secret")
    assert masker._pattern is pattern
    masker.add("second-secret")
    assert masker._pattern is not pattern
    assert masker.mask("first-secret second-secret") == "*** ***"


def test_regex_metacharacters_in_secrets_are_literal():
    masker = masker_with("a.b*c+(d)")
    assert masker.mask("axbbbc+(d) a.b*c+(d)") == "axbbbc+(d) ***"


# -- mask_secret, the DAG-side function ---------------------------------------------------------


class RecordingRuntime:
    """The part of a TaskRuntime that mask_secret talks to; forwards to a real masker."""

    def __init__(self, masker):
        self.masker = masker
        self.sent = []

    def mask_secret(self, value):
        self.sent.append(value)
        self.masker.add(value)


def test_mask_secret_inside_a_try_reaches_the_runtimes_masker():
    from brisa.runtime import use_runtime
    from brisa.secrets.masking import mask_secret

    masker = SecretsMasker()
    runtime = RecordingRuntime(masker)
    with use_runtime(runtime):
        mask_secret("plain-secret-1")
        mask_secret("named-but-harmless", name="hostname")
        mask_secret("named-and-sensitive", name="db_password")
        mask_secret({"api_key": "dict-secret-3", "region": "eu-west-1"})
        mask_secret(("tuple-secret-4",))
        mask_secret(12345)
        mask_secret("")
    text = "plain-secret-1 named-but-harmless named-and-sensitive dict-secret-3 eu-west-1 tuple-secret-4"
    assert masker.mask(text) == "*** named-but-harmless *** *** eu-west-1 ***"
    assert len(runtime.sent) == 5  # non-strings and empty strings are not sent


def test_mask_secret_names_are_judged_by_the_supervisors_configured_names():
    from brisa.runtime import use_runtime
    from brisa.secrets.masking import mask_secret

    masker = SecretsMasker(extra_sensitive_names=["pin"])
    with use_runtime(RecordingRuntime(masker)):
        mask_secret("office-4711", name="office_pin")
    assert masker.mask("office-4711") == "***"


def test_mask_secret_outside_a_try_does_nothing():
    from brisa.secrets.masking import mask_secret

    mask_secret("no-runtime-here")  # nothing to register with, and no error


# -- one list of sensitive names; what a masker learns from variables, XComs, the environment --


def test_the_sdk_and_the_masker_judge_names_with_the_one_list():
    from brisa.sdk import connection, variable

    assert variable.is_sensitive_name is is_sensitive_name
    assert connection.is_sensitive_name is is_sensitive_name
    assert is_sensitive_name("http_proxies")  # was missing from the SDK's copy


def test_a_json_variable_registers_the_values_of_its_sensitive_keys_at_any_depth():
    masker = SecretsMasker()
    masker.add_variable(
        "service", json.dumps({"url": "https://api.example.com", "auth": {"token": "t0k3n-42"}})
    )
    assert masker.mask("calling https://api.example.com with t0k3n-42") == (
        "calling https://api.example.com with ***"
    )
    masker.add_variable("db_password", "whole-value-9")
    masker.add_variable("broken", "{not json")
    assert masker.mask("whole-value-9 {not json") == "*** {not json"


def test_add_sensitive_parts_registers_only_what_is_under_sensitive_keys():
    masker = SecretsMasker(extra_sensitive_names=["pin_code"])
    masker.add_sensitive_parts(
        [{"user": "alice", "password": "pw-12345"}, {"nested": [{"pin_code": "98765"}, "plain-text"]}]
    )
    masker.add_sensitive_parts({"api_token": {"a": ["deep-1234"]}})
    assert masker.mask("alice pw-12345 98765 plain-text deep-1234") == "alice *** *** plain-text ***"


def test_add_sensitive_parts_survives_absurd_nesting():
    value: object = {"password": "deep-secret"}
    for _ in range(5000):
        value = [value]
    SecretsMasker().add_sensitive_parts(value)  # no RecursionError


def test_a_copy_keeps_the_secrets_and_then_learns_alone():
    known = masker_with("known-secret", extra_sensitive_names=["pin_code"])
    twin = known.copy()
    twin.add("only-in-twin")
    assert twin.mask("known-secret only-in-twin") == "*** ***"
    assert known.mask("only-in-twin") == "only-in-twin"
    assert twin.should_hide_value_for_key("my_pin_code")


def test_the_environment_backend_registers_every_connection_and_sensitive_variable():
    from brisa.secrets.backends import EnvironmentBackend

    masker = SecretsMasker()
    EnvironmentBackend(
        {
            "AIRFLOW_CONN_WAREHOUSE": "postgresql://etl:p%40ss-word1@db:5432/w",
            "BRISA_CONN_API": json.dumps({"conn_type": "http", "extra": {"api_key": "key-abcdef"}}),
            "AIRFLOW_VAR_SLACK_TOKEN": "xoxb-12345",
            "AIRFLOW_VAR_REGION": "eu-west-1",
            "AIRFLOW_VAR_SETTINGS": json.dumps({"client_secret": "cs-98765"}),
            "AIRFLOW_CONN_BAD": "::not a uri::",
        }
    ).register_secrets(masker)
    text = "postgresql://etl:p%40ss-word1@db:5432/w p@ss-word1 key-abcdef xoxb-12345 eu-west-1 cs-98765"
    assert masker.mask(text) == "*** *** *** *** eu-west-1 ***"
