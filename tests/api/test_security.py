"""Authentication by bearer token or session cookie, CSRF, and the per-request user check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from brisa.api.security import LOGIN_CSRF_COOKIE, Principal, resolve_principal
from brisa.auth.passwords import hash_password
from brisa.auth.roles import Role
from brisa.auth.sessions import SESSION_COOKIE_NAME, csrf_token, encode_session, new_session
from brisa.auth.tokens import issue_token
from brisa.errors import AuthError
from tests.api.conftest import PASSWORD, Api, login_nonce

PATCH_DAG = "/api/v2/dags/nothing"
DAY = timedelta(days=1)


def session_cookie_header(response) -> str:  # type: ignore[no-untyped-def]
    return next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and SESSION_COOKIE_NAME in v
    )


def login(client: TestClient, username: str, **headers: str):  # type: ignore[no-untyped-def]
    nonce = login_nonce(client.get("/login").text)
    form = {"username": username, "password": PASSWORD, "login_csrf": nonce, "next": "/"}
    return client.post("/login", data=form, headers=headers)


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_only_over_https(fast_api: Api) -> None:
    name = fast_api.user("Viewer")
    plain = session_cookie_header(login(fast_api.client, name))
    assert "HttpOnly" in plain
    assert "SameSite=lax" in plain
    assert "Secure" not in plain
    proxied = session_cookie_header(login(fast_api.client, name, **{"X-Forwarded-Proto": "https"}))
    assert "Secure" in proxied


def test_cookie_requests_that_change_state_need_the_csrf_token(fast_api: Api) -> None:
    browser, token = fast_api.browser("Admin")
    refused = browser.patch(PATCH_DAG, json={"is_paused": True})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    wrong = browser.patch(PATCH_DAG, json={"is_paused": True}, headers={"X-CSRF-Token": "abc.def"})
    assert wrong.status_code == 403
    allowed = browser.patch(PATCH_DAG, json={"is_paused": True}, headers={"X-CSRF-Token": token})
    assert allowed.status_code == 404  # past CSRF and permissions: the DAG does not exist


def test_html_forms_may_send_the_csrf_token_as_a_field(fast_api: Api) -> None:
    browser, token = fast_api.browser("Viewer")
    assert browser.post("/logout", data={"csrf_token": "forged.value"}).status_code == 403
    response = browser.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert browser.get("/ui/api/me").status_code == 401


def test_a_csrf_token_of_another_session_is_refused(fast_api: Api) -> None:
    admin, _ = fast_api.browser("Admin")
    _, viewer_token = fast_api.browser("Viewer")
    response = admin.patch(PATCH_DAG, json={"is_paused": True}, headers={"X-CSRF-Token": viewer_token})
    assert response.status_code == 403


def test_reading_with_a_cookie_needs_no_csrf_token(fast_api: Api) -> None:
    browser, _ = fast_api.browser("Viewer")
    assert browser.get("/api/v2/dags").status_code == 200


def test_bearer_requests_need_no_csrf_token(fast_api: Api) -> None:
    response = fast_api.client.patch(PATCH_DAG, json={"is_paused": True}, headers=fast_api.headers("Admin"))
    assert response.status_code == 404


def test_a_deleted_user_loses_access_at_once_by_token_and_by_cookie(fast_api: Api) -> None:
    headers = fast_api.headers("Op")
    browser, _ = fast_api.browser("Op")
    with fast_api.store.transaction() as tx:
        tx.users.delete("op")
    assert fast_api.client.get("/api/v2/dags", headers=headers).status_code == 401
    response = browser.get("/api/v2/dags")
    assert response.status_code == 401
    assert 'brisa_session=""' in response.headers["set-cookie"]


def test_the_role_is_read_from_the_users_row_not_from_the_token(fast_api: Api) -> None:
    headers = fast_api.headers("Admin")
    with fast_api.store.transaction() as tx:
        tx.users.update("admin", role=Role.VIEWER.value)
    assert fast_api.client.get("/api/v2/variables", headers=headers).status_code == 403


def test_an_inactive_user_is_refused(fast_api: Api) -> None:
    headers = fast_api.headers("User")
    with fast_api.store.transaction() as tx:
        tx.users.update("user", active=False)
    assert fast_api.client.get("/api/v2/dags", headers=headers).status_code == 401


def test_expired_tokens_and_sessions_are_refused(fast_api: Api) -> None:
    headers = fast_api.headers("Viewer")
    browser, _ = fast_api.browser("Viewer")
    fast_api.clock.advance(fast_api.settings.api.access_token_expiration + 1)
    assert fast_api.client.get("/api/v2/dags", headers=headers).status_code == 401
    fast_api.clock.advance(fast_api.settings.api.session_lifetime_minutes * 60)
    assert browser.get("/api/v2/dags").status_code == 401


def test_forged_credentials_are_refused(fast_api: Api) -> None:
    fast_api.user("Admin")
    forged = issue_token("admin", "Admin", secret="x" * 40, now=fast_api.clock())
    client = fast_api.client
    assert client.get("/api/v2/dags", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    assert client.get("/api/v2/dags", headers={"Authorization": "Basic YWRtaW46eA=="}).status_code == 401
    client.cookies.set(SESSION_COOKIE_NAME, "e30.forged")
    assert client.get("/api/v2/dags").status_code == 401
    assert client.get("/pages/anything").status_code == 303


def test_resolve_principal_names_the_user_and_how_they_came(fast_api: Api) -> None:
    ctx = fast_api.app.state.brisa
    fast_api.user("Op")
    with fast_api.store.transaction(readonly=True) as tx:
        user = tx.users.require("op")
    token = issue_token("op", "Op", secret=ctx.secret_key, now=ctx.now(), credential_id=user.credential_id)
    by_token = resolve_principal(ctx, f"Bearer {token}", None)
    assert by_token == Principal(user.id, "op", Role.OP, "token")
    session = new_session(user.id, now=ctx.now())
    with fast_api.store.transaction() as tx:
        tx.sessions.add(
            session.session_id, user_id=user.id, now=ctx.now(), expires_at=session.issued_at + DAY
        )
    by_cookie = resolve_principal(ctx, None, encode_session(session, secret=ctx.secret_key))
    assert (by_cookie.username, by_cookie.via, by_cookie.session) == ("op", "session", session)
    with pytest.raises(AuthError):
        resolve_principal(ctx, None, None)


def test_a_session_of_a_user_id_that_never_existed_is_refused(fast_api: Api) -> None:
    ctx = fast_api.app.state.brisa
    cookie = encode_session(new_session(999, now=ctx.now()), secret=ctx.secret_key)
    client = fast_api.client
    client.cookies.set(SESSION_COOKIE_NAME, cookie)
    session = new_session(999, now=ctx.now())
    response = client.patch(PATCH_DAG, json={}, headers={"X-CSRF-Token": csrf_token(session)})
    assert response.status_code == 401


def test_a_background_request_redirected_to_login_keeps_the_open_form_valid(fast_api: Api) -> None:
    name = fast_api.user("Viewer")
    browser = TestClient(fast_api.app, follow_redirects=True)
    nonce = login_nonce(browser.get("/login").text)
    browser.get("/favicon.ico")  # redirected to /login by the browser itself
    form = {"username": name, "password": PASSWORD, "login_csrf": nonce, "next": "/"}
    response = browser.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303


# --- credentials end with what they were bound to (all store backends) ----------------------


def token_headers(api: Api, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = api.client.post("/auth/token", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_the_cookie_of_a_deleted_viewer_does_not_become_an_admin_created_after(api: Api) -> None:
    browser, _ = api.browser("Viewer")
    with api.store.transaction() as tx:
        viewer_id = tx.users.require("viewer").id
        tx.users.delete("viewer")
    admin = api.user("Admin", "new-admin")
    with api.store.transaction(readonly=True) as tx:
        assert tx.users.require(admin).id != viewer_id  # ids are never given again
    assert browser.get("/ui/api/me").status_code == 401
    assert browser.get("/api/v2/variables").status_code == 401


def test_a_token_of_a_deleted_user_is_refused_when_the_name_is_taken_again(api: Api) -> None:
    old = token_headers(api, api.user("Viewer", "dana"))
    with api.store.transaction() as tx:
        tx.users.delete("dana")
    api.user("Admin", "dana")
    assert api.client.get("/api/v2/dags", headers=old).status_code == 401
    assert api.client.get("/api/v2/dags", headers=token_headers(api, "dana")).status_code == 200


def test_a_password_reset_ends_the_users_tokens_and_sessions_only(api: Api) -> None:
    headers = token_headers(api, api.user("Op"))
    browser, _ = api.browser("Op")
    others = token_headers(api, api.user("Viewer"))
    with api.store.transaction() as tx:
        tx.users.set_password("op", hash_password("a-new-password", hasher=api.hasher))
    assert api.client.get("/api/v2/dags", headers=headers).status_code == 401
    assert browser.get("/api/v2/dags").status_code == 401
    assert api.client.get("/api/v2/dags", headers=others).status_code == 200
    assert (
        api.client.get("/api/v2/dags", headers=token_headers(api, "op", "a-new-password")).status_code == 200
    )


def test_logging_out_ends_the_session_even_for_a_copy_of_its_cookie(api: Api) -> None:
    browser, csrf = api.browser("User")
    other_browser, _ = api.browser("User")
    stolen = browser.cookies.get(SESSION_COOKIE_NAME)
    assert browser.post("/logout", headers={"X-CSRF-Token": csrf}).status_code == 303
    replay = api.client
    replay.cookies.set(SESSION_COOKIE_NAME, stolen)
    assert replay.get("/ui/api/me").status_code == 401
    assert other_browser.get("/ui/api/me").status_code == 200  # logout ends one session
    with api.store.transaction(readonly=True) as tx:
        assert tx.sessions.count(tx.users.require("user").id) == 1


def test_logging_in_again_ends_the_browsers_previous_session(api: Api) -> None:
    browser, _ = api.browser("Viewer")
    before = browser.cookies.get(SESSION_COOKIE_NAME)
    form_page = api.client  # a logged-in browser is sent away from /login: take the form elsewhere
    nonce = login_nonce(form_page.get("/login").text)
    browser.cookies.set(LOGIN_CSRF_COOKIE, form_page.cookies.get(LOGIN_CSRF_COOKIE), path="/login")
    form = {"username": "viewer", "password": PASSWORD, "login_csrf": nonce, "next": "/"}
    assert browser.post("/login", data=form).status_code == 303
    assert browser.get("/ui/api/me").status_code == 200
    replay = api.client
    replay.cookies.set(SESSION_COOKIE_NAME, before)
    assert replay.get("/ui/api/me").status_code == 401
    with api.store.transaction(readonly=True) as tx:
        assert tx.sessions.count(tx.users.require("viewer").id) == 1


def test_a_token_issued_before_credential_ids_is_refused(fast_api: Api) -> None:
    ctx = fast_api.app.state.brisa
    fast_api.user("Op")
    token = issue_token("op", "Op", secret=ctx.secret_key, now=ctx.now())  # no cid claim
    with pytest.raises(AuthError, match="revoked"):
        resolve_principal(ctx, f"Bearer {token}", None)
