"""How a connection type's form looks, from the hook that serves it.

A provider hook says which standard fields its connections use (``get_ui_field_behaviour``:
hidden fields, labels, placeholders) and which extra fields they have
(``get_connection_form_widgets``: WTForms fields, read with the stand-ins of
:mod:`brisa.providers.widgets`, as Airflow 3's UI reads them without Flask). Reading a
form imports the hook's module (with Brisa's ``airflow`` shim), never runs a hook.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from brisa.providers.connection_types import ConnectionType, connection_types
from brisa.providers.widgets import ExtraField, extra_fields, install_stand_ins

log = logging.getLogger(__name__)

STANDARD_FIELDS = ("description", "host", "schema", "login", "password", "port", "extra")


@dataclass(frozen=True)
class FieldBehaviour:
    hidden: frozenset[str] = frozenset()
    relabeling: Mapping[str, str] = field(default_factory=dict)
    placeholders: Mapping[str, str] = field(default_factory=dict)
    extra_fields: tuple[ExtraField, ...] = ()
    """The hook's own fields, each saved under its name in the connection's ``extra``."""

    @classmethod
    def from_hook(cls, data: Mapping[str, Any], extras: tuple[ExtraField, ...] = ()) -> FieldBehaviour:
        return cls(
            frozenset(data.get("hidden_fields") or ()),
            dict(data.get("relabeling") or {}),
            {key: str(value) for key, value in (data.get("placeholders") or {}).items()},
            extras,
        )


def known_conn_types() -> list[str]:
    """Every connection type a hook here serves, sorted (the form's suggestions)."""
    return sorted(connection_types())


def field_behaviour(conn_type: str, before_import: Callable[[], object] = lambda: None) -> FieldBehaviour:
    """The form of ``conn_type``'s connections; the plain form for unknown types or hooks
    that fail to import (logged: a broken provider must not break the page). Provider hooks
    import ``airflow.*``: ``before_import`` (the caller's) makes that work, once a hook is
    actually to be imported."""
    kind = connection_types().get(conn_type)
    if kind is None:
        return FieldBehaviour()
    try:
        before_import()
        return _read_form(kind)
    except Exception:
        log.warning(
            "cannot read the connection form of %s (%s)", conn_type, kind.hook_class_name, exc_info=True
        )
        return FieldBehaviour()


def _read_form(kind: ConnectionType) -> FieldBehaviour:
    hook = kind.hook_class()
    behaviour = getattr(hook, "get_ui_field_behaviour", None)
    widgets = getattr(hook, "get_connection_form_widgets", None)
    if widgets is not None:
        install_stand_ins()  # the hook imports wtforms & co. inside the method
    return FieldBehaviour.from_hook(
        behaviour() if behaviour else {}, extra_fields(widgets()) if widgets else ()
    )


__all__ = ["STANDARD_FIELDS", "FieldBehaviour", "field_behaviour", "known_conn_types"]
