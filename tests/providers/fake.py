"""Synthetic provider distributions on disk: the layout a provider wheel installs."""

from __future__ import annotations

from pathlib import Path

INFO = """
def get_provider_info():
    return {{
        "package-name": "{dist}",
        "name": "{title}",
        "description": "`{title} <https://example.com/>`__\\n\\nMore text.\\n",
        "connection-types": [
            {{"hook-class-name": "airflow.providers.{package}.hooks.{leaf}.{title}Hook",
              "connection-type": "{conn_type}"}}
        ],
    }}
"""

HOOK = """
from airflow.providers.common.compat.sdk import BaseHook


class {title}Hook(BaseHook):
    conn_name_attr = "{leaf}_conn_id"
    conn_type = "{conn_type}"
    hook_name = "{title}"

    def __init__(self, {leaf}_conn_id="{leaf}_default", **kwargs):
        super().__init__()
        self.conn_id = {leaf}_conn_id
        self.kwargs = kwargs

    @classmethod
    def get_connection_form_widgets(cls):
        from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
        from flask_babel import lazy_gettext
        from wtforms import BooleanField, IntegerField, PasswordField, StringField
        from wtforms.validators import NumberRange, Optional, any_of

        return {{
            "timeout": IntegerField(
                lazy_gettext("Timeout"),
                widget=BS3TextFieldWidget(),
                validators=[Optional(), NumberRange(min=1)],
                description="Seconds to wait.",
            ),
            "region": StringField(
                lazy_gettext("Region"), widget=BS3TextFieldWidget(), validators=[any_of(["north", "south"])],
                default="north",
            ),
            "extra__{conn_type}__token": PasswordField(
                lazy_gettext("Token"), widget=BS3PasswordFieldWidget()
            ),
            "verify": BooleanField(lazy_gettext("Verify"), default=True),
        }}

    @classmethod
    def get_ui_field_behaviour(cls):
        return {{
            "hidden_fields": ["schema"],
            "relabeling": {{"login": "Account"}},
            "placeholders": {{"host": "{conn_type}.example.com"}},
        }}
"""


def write_provider(site: Path, provider: str, version: str = "1.0.0", conn_type: str | None = None) -> Path:
    """``apache-airflow-providers-<provider>`` installed under ``site`` (package + dist-info)."""
    package = provider
    leaf = provider.rsplit(".", 1)[-1]
    title = leaf.capitalize()
    dist = "apache-airflow-providers-" + provider.replace(".", "-")
    root = site.joinpath("airflow", "providers", *package.split("."))
    (root / "hooks").mkdir(parents=True, exist_ok=True)
    (root / "__init__.py").write_text(f'__version__ = "{version}"\n')
    values = {"dist": dist, "title": title, "package": package, "leaf": leaf, "conn_type": conn_type or leaf}
    (root / "get_provider_info.py").write_text(INFO.format(**values))
    (root / "hooks" / "__init__.py").write_text("")
    (root / "hooks" / f"{leaf}.py").write_text(HOOK.format(**values))
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\nSummary: {title} summary\n"
        "Requires-Dist: apache-airflow>=2.10.0\n"
    )
    return root
