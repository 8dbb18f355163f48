from fastapi.testclient import TestClient

from brisa.auth.passwords import verify_password
from tests.ui.helpers import XSS, assert_escaped, login, post_form

NEW = {
    "username": "maria",
    "email": "maria@example.com",
    "first_name": "Maria",
    "last_name": "Silva",
    "role": "User",
    "password": "a long passphrase",
}


def user(store, name: str):
    with store.transaction(readonly=True) as tx:
        return tx.users.get(name)


def test_admin_creates_a_user_who_can_log_in(app, store, admin) -> None:
    assert post_form(admin, "/users/new", NEW).status_code == 303
    created = user(store, "maria")
    assert (created.role, created.email, created.first_name) == ("User", "maria@example.com", "Maria")
    assert created.password_hash.startswith("$argon2id$")
    with TestClient(app, follow_redirects=False) as client:
        login(client, "maria", "a long passphrase")
        assert client.get("/dags").status_code == 200
    assert "maria" in admin.get("/users").text


def test_invalid_or_duplicate_users_are_refused(store, admin) -> None:
    short = post_form(admin, "/users/new", {**NEW, "password": "short"})
    assert (
        short.status_code == 400 and "at least 8 characters" in short.text and 'value="maria"' in short.text
    )
    post_form(admin, "/users/new", NEW)
    duplicate = post_form(admin, "/users/new", {**NEW, "username": "MARIA"})
    assert duplicate.status_code == 400 and "already exists" in duplicate.text
    assert user(store, "MARIA") is None


def test_change_role_reset_password_and_delete(app, store, admin) -> None:
    post_form(admin, "/users/new", NEW)
    assert post_form(admin, "/users/role", {"username": "maria", "role": "Op"}).status_code == 303
    assert user(store, "maria").role == "Op"
    post_form(admin, "/users/password", {"username": "maria", "password": "another passphrase"})
    assert verify_password("another passphrase", user(store, "maria").password_hash)
    weak = post_form(admin, "/users/password", {"username": "maria", "password": "maria"})
    assert weak.status_code == 400 and "password must" in weak.text
    assert post_form(admin, "/users/delete", {"username": "maria"}).status_code == 303
    assert user(store, "maria") is None
    with store.transaction(readonly=True) as tx:
        events = [r.event for r in tx.audit.list().items]
    assert {"create_user", "update_user_role", "reset_user_password", "delete_user"} <= set(events)


def test_an_admin_cannot_demote_or_delete_themselves(store, admin) -> None:
    demote = post_form(admin, "/users/role", {"username": "admin", "role": "Viewer"})
    assert demote.status_code == 400 and "your own role" in demote.text
    delete = post_form(admin, "/users/delete", {"username": "admin"})
    assert delete.status_code == 400 and "delete yourself" in delete.text
    assert user(store, "admin").role == "Admin"


def test_only_admins_manage_users(store, client_for) -> None:
    for name in ("op", "user", "viewer"):
        client = client_for(name)
        assert client.get("/users").status_code == 403
        assert post_form(client, "/users/new", NEW).status_code == 403
        assert post_form(client, "/users/role", {"username": "viewer", "role": "Admin"}).status_code == 403
        assert 'href="/users"' not in client.get("/dags").text
    assert user(store, "viewer").role == "Viewer"


def test_user_fields_are_escaped(store, admin, clock) -> None:
    with store.transaction() as tx:
        tx.users.create(
            username="x", email=XSS, role="Viewer", password_hash="h", now=clock(), first_name=XSS
        )
    assert_escaped(admin.get("/users").text, XSS)


def test_a_reset_or_a_deletion_on_the_users_page_logs_the_user_out(app, store, admin) -> None:
    post_form(admin, "/users/new", NEW)
    with TestClient(app, follow_redirects=False) as maria:
        login(maria, "maria", "a long passphrase")
        assert maria.get("/dags").status_code == 200
        post_form(admin, "/users/password", {"username": "maria", "password": "another passphrase"})
        assert maria.get("/dags").status_code == 303  # back to the login page
        login(maria, "maria", "another passphrase")
        assert maria.get("/dags").status_code == 200
        post_form(admin, "/users/delete", {"username": "maria"})
        assert maria.get("/dags").status_code == 303
