import brisa.auth
from brisa.auth import passwords, roles, sessions, throttle, tokens, users


def test_every_exported_name_exists():
    for module in (brisa.auth, passwords, roles, sessions, throttle, tokens, users):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__} exports missing {name}"
