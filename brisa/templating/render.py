"""Rendering templated values, with Airflow's rules.

* A string is a template.  If it ends with one of the operator's ``template_ext``
  (``.sh``, ``.sql``...) it is the *name of a template file* looked up on the
  environment's search path instead - which is why Airflow tells you to add a trailing
  space to ``bash_command="script.sh "`` when you want the literal command.
* Lists, tuples (named tuples too), sets and dict values are rendered recursively.
* An object with ``resolve(context)`` and ``iter_references()`` (Airflow's
  ``ResolveMixin``: XComArg, DagParam, LiteralValue) is resolved instead.
* Any other object with ``template_fields`` gets those attributes rendered in place
  (once, even if it is reachable twice); everything else is returned unchanged.

As in Airflow, rendering adds the environment's globals (``user_defined_macros``
among them) to ``context`` for every key the context does not already have.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import Any, cast

import jinja2
from jinja2.nativetypes import native_concat

from brisa.templating.environment import is_native

Context = MutableMapping[str, Any]


def render_template(template: jinja2.Template, context: Context, *, native: bool) -> Any:
    """Render one compiled template against ``context`` (to a string unless ``native``)."""
    for name, value in template.globals.items():
        context.setdefault(name, value)
    env = template.environment
    # Jinja only reads its parent mapping (lookups and ``in``), so any mapping will do.
    jinja_context = env.context_class(env, cast(dict[str, Any], context), template.name, template.blocks)
    try:
        chunks = template.root_render_func(jinja_context)
        return native_concat(chunks) if native else "".join(chunks)
    except Exception:
        # Re-raises with the template's own line numbers in the traceback.
        return env.handle_exception()


def render_string(source: str, context: Context, env: jinja2.Environment) -> Any:
    return render_template(env.from_string(source), context, native=is_native(env))


def render_field(
    value: Any, context: Context, env: jinja2.Environment, template_ext: Iterable[str] = ()
) -> Any:
    """Render one template field's value; ``template_ext`` are the operator's file extensions."""
    return _Renderer(context, env, tuple(template_ext)).render(value)


def render(value: Any, context: Context, env: jinja2.Environment) -> Any:
    """Render ``value`` with no template files (``template_ext`` empty)."""
    return render_field(value, context, env)


class _Renderer:
    def __init__(self, context: Context, env: jinja2.Environment, template_ext: tuple[str, ...]) -> None:
        self.context = context
        self.env = env
        self.template_ext = template_ext
        self.native = is_native(env)
        self.seen: set[int] = set()

    def render(self, value: Any) -> Any:
        if isinstance(value, str):
            if self._is_plain(value):
                for name, macro in self.env.globals.items():  # as render_template does
                    self.context.setdefault(name, macro)
                return value
            return render_template(self._template(value), self.context, native=self.native)
        if _is_resolvable(value):
            return value.resolve(self.context)
        if type(value) is tuple:
            return tuple(self.render(item) for item in value)
        if isinstance(value, tuple):  # a named tuple
            return type(value)(*(self.render(item) for item in value))
        if isinstance(value, list):
            return [self.render(item) for item in value]
        if isinstance(value, dict):
            return {key: self.render(item) for key, item in value.items()}
        if isinstance(value, set):
            return {self.render(item) for item in value}
        self._render_nested_fields(value)
        return value

    def _is_plain(self, value: str) -> bool:
        """A string Jinja would give back unchanged: no markup, no newline to normalise,
        no trailing newline to drop, not a file name, not native (which would parse it).
        Compiling even ``true`` costs ~3 ms, a tenth of a one-line task's try."""
        env = self.env
        if self.native or env.line_statement_prefix or env.line_comment_prefix or "\r" in value:
            return False
        if value.endswith("\n") and not env.keep_trailing_newline:
            return False
        if self.template_ext and value.endswith(self.template_ext):
            return False
        markers = (env.block_start_string, env.variable_start_string, env.comment_start_string)
        return not any(marker in value for marker in markers)

    def _template(self, value: str) -> jinja2.Template:
        if self.template_ext and value.endswith(self.template_ext):
            return self.env.get_template(value)
        return self.env.from_string(value)

    def _render_nested_fields(self, value: Any) -> None:
        fields = getattr(value, "template_fields", None)
        if not fields or id(value) in self.seen:
            return
        self.seen.add(id(value))
        for name in fields:
            rendered = self.render(getattr(value, name))
            if rendered:  # Airflow keeps the original when the result is falsy
                setattr(value, name, rendered)


def _is_resolvable(value: Any) -> bool:
    return callable(getattr(value, "resolve", None)) and callable(getattr(value, "iter_references", None))


__all__ = ["Context", "render", "render_field", "render_string", "render_template"]
