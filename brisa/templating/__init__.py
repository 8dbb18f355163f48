"""Templating: Airflow's Jinja environment, template context and macros (pure).

``make_environment`` builds a DAG's environment, ``build_context`` one try's context
and ``render_field`` / ``render`` render a templated value against both.
"""

from brisa.templating.accessors import (
    ConfAccessor,
    ConnectionAccessor,
    ConnectionNotFound,
    TemplateConnection,
    VariableAccessor,
    VariableNotFound,
)
from brisa.templating.context import PreviousRuns, build_context
from brisa.templating.dates import IsoDateTime, template_datetime
from brisa.templating.environment import FILTERS, NativeEnvironment, SandboxedEnvironment, make_environment
from brisa.templating.render import render, render_field, render_string, render_template

__all__ = [
    "FILTERS",
    "ConfAccessor",
    "ConnectionAccessor",
    "ConnectionNotFound",
    "IsoDateTime",
    "NativeEnvironment",
    "PreviousRuns",
    "SandboxedEnvironment",
    "TemplateConnection",
    "VariableAccessor",
    "VariableNotFound",
    "build_context",
    "make_environment",
    "render",
    "render_field",
    "render_string",
    "render_template",
    "template_datetime",
]
