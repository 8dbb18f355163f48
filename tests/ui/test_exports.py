"""Every module of brisa.ui says what it exports, and exports what it says."""

import importlib
import pkgutil

import pytest

import brisa.ui

PACKAGES = ["brisa.ui", "brisa.ui.pages"]
MODULES = PACKAGES + sorted(
    info.name for info in pkgutil.walk_packages(brisa.ui.__path__, prefix="brisa.ui.") if not info.ispkg
)


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), name
    for exported in module.__all__:
        assert hasattr(module, exported), f"{name}.{exported}"
