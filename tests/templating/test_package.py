"""The public names of brisa.templating."""

from __future__ import annotations

import brisa.templating as templating
from brisa.templating import macros


def test_every_exported_name_exists():
    for name in templating.__all__:
        assert hasattr(templating, name), name


def test_macros_namespace_has_airflows_names():
    expected = {"ds_add", "ds_format", "ds_format_locale", "datetime_diff_for_humans", "random", "uuid"}
    expected |= {"json", "time", "datetime", "timedelta", "dateutil", "yaml"}
    assert expected <= set(macros.__all__)
    assert all(hasattr(macros, name) for name in macros.__all__)
