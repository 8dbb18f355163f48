"""Validation of DAG, task and group ids (Airflow's ``validate_key``)."""

from __future__ import annotations

import re

from brisa.sdk.exceptions import AirflowException

KEY_REGEX = re.compile(r"^[\w.-]+$")
GROUP_KEY_REGEX = re.compile(r"^[\w-]+$")
MAX_KEY_LENGTH = 250


class InvalidKeyError(AirflowException, ValueError):
    pass


def validate_key(key: str, max_length: int = MAX_KEY_LENGTH) -> None:
    if not isinstance(key, str):
        raise TypeError(f"The key has to be a string and is {type(key)}:{key}")
    if len(key) > max_length:
        raise InvalidKeyError(f"The key: {key} has to be less than {max_length} characters")
    if not KEY_REGEX.match(key):
        raise InvalidKeyError(
            f"The key {key!r} has to be made of alphanumeric characters, dashes, dots and "
            "underscores exclusively"
        )


__all__ = ["MAX_KEY_LENGTH", "InvalidKeyError", "validate_key"]
