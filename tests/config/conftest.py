from pathlib import Path

import pytest


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"
