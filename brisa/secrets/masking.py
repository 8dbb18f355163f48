"""Hide secrets in text (task logs) and in structures (connection extras, variables, config).

Two mechanisms, as in Airflow's ``secrets_masker``:

* **By value.** :meth:`SecretsMasker.add` registers a secret (a password, a token);
  :meth:`SecretsMasker.mask` replaces every occurrence of it with ``***``, also inside
  longer strings and in the forms a secret takes when it is embedded elsewhere: JSON
  string escaping and URL quoting. Values shorter than :data:`MIN_LENGTH_TO_MASK` are not
  registered: masking ``"abc"`` would shred every log line that happens to contain it.
* **By name.** :meth:`SecretsMasker.redact` walks dicts and lists and hides the whole
  value of any key whose name contains a sensitive word (:data:`DEFAULT_SENSITIVE_FIELDS`
  plus configured extra names, Airflow's ``[core] sensitive_var_conn_names``).

All registered secrets are matched by one compiled regular expression, rebuilt only when
a new secret arrives, so masking a streamed log line costs one ``re.sub``. There is no
global masker: each process (a task try, the API) owns the one it builds.

Difference from Airflow: under a sensitive key, Airflow leaves non-string scalars (an
integer PIN) visible; here every non-``None`` scalar becomes ``***``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from enum import Enum
from typing import Any
from urllib.parse import quote, quote_plus

from brisa.secret_names import DEFAULT_SENSITIVE_FIELDS, REPLACEMENT, is_sensitive_name

MIN_LENGTH_TO_MASK = 5
"""Airflow's ``[logging] min_length_masked_secret`` default."""

NEVER_MASKED: frozenset[str] = frozenset({"airflow", "brisa"})
"""Common words used as throw-away passwords; masking them would mangle every log line."""

MAX_DEPTH = 5
"""How deep :meth:`SecretsMasker.redact` applies the sensitive-name rule (Airflow's limit)."""
DEEPEST = 64
"""Below this depth :meth:`SecretsMasker.redact` hides whole values (cycles end here)."""


def _embedded_forms(secret: str) -> set[str]:
    """The secret as it appears inside JSON documents and URLs, besides itself."""
    return {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret),
        quote(secret, safe=""),
        quote_plus(secret),
    }


class SecretsMasker:
    """Registered secrets and sensitive names for one process; see the module docstring."""

    def __init__(
        self,
        *,
        extra_sensitive_names: Iterable[str] = (),
        min_length: int = MIN_LENGTH_TO_MASK,
        hide_sensitive_names: bool = True,
    ) -> None:
        self._extra_names = frozenset(n.strip().lower() for n in extra_sensitive_names if n.strip())
        self._min_length = min_length
        self._hide_sensitive_names = hide_sensitive_names
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def copy(self) -> SecretsMasker:
        """A masker with the same rules and secrets, that learns on its own from now on."""
        twin = SecretsMasker(min_length=self._min_length, hide_sensitive_names=self._hide_sensitive_names)
        twin._extra_names = self._extra_names
        twin._secrets = set(self._secrets)
        twin._pattern = self._pattern
        return twin

    @property
    def secret_count(self) -> int:
        """How many distinct strings (secrets and their embedded forms) are masked."""
        return len(self._secrets)

    def should_hide_value_for_key(self, name: object) -> bool:
        """Airflow's rule: hide the value if the key's name contains a sensitive word."""
        return self._hide_sensitive_names and is_sensitive_name(name, self._extra_names)

    def add(self, value: Any, name: str | None = None) -> None:
        """Register ``value`` for masking.

        With ``name``, the value is registered only if the name is sensitive. A dict
        registers each of its values under its key; other iterables register each item
        under ``name``. Non-string scalars are ignored.
        """
        if isinstance(value, dict):
            for key, item in value.items():
                self.add(item, key)
        elif isinstance(value, str):
            if name and not self.should_hide_value_for_key(name):
                return
            self._add_string(value)
        elif isinstance(value, Iterable):
            for item in value:
                self.add(item, name)

    def add_variable(self, key: str, value: Any) -> None:
        """A variable handed out: whole if ``key`` is sensitive; in a JSON value, the values
        of sensitive keys at any depth (``{"api": {"token": "..."}}``)."""
        self.add(value, name=key)
        if not isinstance(value, str) or value.lstrip()[:1] not in ("{", "["):
            return
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            return
        self.add_sensitive_parts(parsed)

    def add_sensitive_parts(self, value: Any, depth: int = 0) -> None:
        """Register every string under a sensitive key in ``value``, at any depth (to
        :data:`DEEPEST`), and nothing else: ``{"rows": [{"token": "t0k3n"}]}`` registers
        ``t0k3n`` only."""
        if depth > DEEPEST:
            return
        if isinstance(value, dict):
            for key, item in value.items():
                if self.should_hide_value_for_key(key):
                    self._add_strings(item, depth + 1)
                else:
                    self.add_sensitive_parts(item, depth + 1)
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                self.add_sensitive_parts(item, depth + 1)

    def _add_strings(self, value: Any, depth: int) -> None:
        if depth > DEEPEST:
            return
        if isinstance(value, str):
            self._add_string(value)
        elif isinstance(value, dict):
            for item in value.values():
                self._add_strings(item, depth + 1)
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                self._add_strings(item, depth + 1)

    def add_all(self, secrets: Iterable[str]) -> None:
        """Register every string of ``secrets`` (one regex compilation for all of them)."""
        new: set[str] = set()
        for secret in secrets:
            if len(secret) >= self._min_length and secret.lower() not in NEVER_MASKED:
                new |= {form for form in _embedded_forms(secret) if len(form) >= self._min_length}
        if new - self._secrets:
            self._secrets |= new
            self._pattern = self._compile()

    def _add_string(self, secret: str) -> None:
        if len(secret) < self._min_length or secret.lower() in NEVER_MASKED:
            return
        new = {form for form in _embedded_forms(secret) if len(form) >= self._min_length} - self._secrets
        if new:
            self._secrets |= new
            self._pattern = self._compile()

    def _compile(self) -> re.Pattern[str]:
        # Longest first: at a given position the regex takes the first alternative that
        # matches, so a secret that contains another must be tried before it.
        ordered = sorted(self._secrets, key=lambda s: (-len(s), s))
        return re.compile("|".join(re.escape(s) for s in ordered))

    def mask(self, text: str) -> str:
        """``text`` with every registered secret replaced by ``***``."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(REPLACEMENT, text)

    def redact(self, obj: Any, name: str | None = None, *, max_depth: int = MAX_DEPTH) -> Any:
        """A copy of ``obj`` with secrets masked in strings and sensitive keys hidden.

        Dicts, lists, tuples and sets are walked (sets come back as tuples, as in
        Airflow). Below ``max_depth`` key names are no longer judged but registered
        secrets are still masked (Airflow returns such deep parts unchanged); below
        :data:`DEEPEST` every string and container is replaced by ``***``.
        """
        return self._redact(obj, name, 0, max_depth)

    def _redact(self, item: Any, name: object, depth: int, max_depth: int) -> Any:
        if depth > max_depth:
            return self._mask_values(item, depth)
        if name is not None and self.should_hide_value_for_key(name):
            return self._hide_all(item, depth, max_depth)
        if isinstance(item, dict):
            return {key: self._redact(value, key, depth + 1, max_depth) for key, value in item.items()}
        if isinstance(item, str):
            return self.mask(item)
        if isinstance(item, Enum):
            return self._redact(item.value, name, depth, max_depth)
        if isinstance(item, (list, tuple, set, frozenset)):
            walked = [self._redact(value, None, depth + 1, max_depth) for value in item]
            return walked if isinstance(item, list) else tuple(walked)
        return item

    def _mask_values(self, item: Any, depth: int) -> Any:
        if isinstance(item, str | dict | list | tuple | set | frozenset) and depth > DEEPEST:
            return REPLACEMENT  # a cycle or an absurd nesting: hide rather than leak
        if isinstance(item, str):
            return self.mask(item)
        if isinstance(item, dict):
            return {key: self._mask_values(value, depth + 1) for key, value in item.items()}
        if isinstance(item, list | tuple | set | frozenset):
            walked = [self._mask_values(value, depth + 1) for value in item]
            return walked if isinstance(item, list) else tuple(walked)
        return item

    def _hide_all(self, item: Any, depth: int, max_depth: int) -> Any:
        if item is None:
            return None
        if depth > max_depth:
            return REPLACEMENT
        if isinstance(item, dict):
            return {key: self._hide_all(value, depth + 1, max_depth) for key, value in item.items()}
        if isinstance(item, (list, tuple, set, frozenset)):
            hidden = [self._hide_all(value, depth + 1, max_depth) for value in item]
            return hidden if isinstance(item, list) else tuple(hidden)
        return REPLACEMENT


def mask_secret(secret: Any, name: str | None = None) -> None:
    """Airflow's ``mask_secret`` for DAG code: hide ``secret`` in this task's log from now on.

    Airflow's names for it are ``airflow.utils.log.secrets_masker.mask_secret`` and
    ``airflow.sdk.log.mask_secret``. Inside a running try the value goes to the
    supervisor, which masks the try's log lines and rendered fields; with ``name``, only
    if the name looks sensitive; a dict registers each value under its key and a list
    each item, as in Airflow. Outside a try (a DAG file imported by the DAG processor)
    there is no task log to protect and the call does nothing.
    """
    from brisa.runtime import maybe_runtime

    runtime = maybe_runtime()
    try:
        value = _plain_secret(secret)
    except RecursionError:
        return  # nested beyond reason: no secret to learn from it
    if runtime is None or value is None:
        return
    # A one-key dict makes the supervisor's masker judge ``name`` with its configured
    # sensitive names (SecretsMasker.add registers dict values under their keys).
    runtime.mask_secret({name: value} if name else value)


def _plain_secret(secret: Any) -> Any:
    """``secret`` as JSON-safe strings, dicts and lists; ``None`` when nothing is maskable."""
    if isinstance(secret, str):
        return secret or None
    if isinstance(secret, dict):
        return {str(key): _plain_secret(value) for key, value in secret.items()}
    if isinstance(secret, list | tuple | set | frozenset):
        return [_plain_secret(item) for item in secret]
    return None


__all__ = [
    "DEEPEST",
    "DEFAULT_SENSITIVE_FIELDS",
    "MAX_DEPTH",
    "MIN_LENGTH_TO_MASK",
    "NEVER_MASKED",
    "REPLACEMENT",
    "SecretsMasker",
    "is_sensitive_name",
    "mask_secret",
]
