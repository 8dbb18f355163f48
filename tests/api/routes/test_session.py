"""The login page, its CSRF nonce, safe redirects, throttling and logout."""

from __future__ import annotations

from brisa.api.routes.session import safe_next
from tests.api.conftest import PASSWORD, Api, login_nonce


def post_login(api: Api, client, **form: str):  # type: ignore[no-untyped-def]
    nonce = login_nonce(client.get("/login").text)
    return client.post("/login", data={"login_csrf": nonce, "next": "/"} | form)


def test_login_redirects_to_next_and_starts_a_session(fast_api: Api) -> None:
    name = fast_api.user("Viewer")
    client = fast_api.client
    response = post_login(fast_api, client, username=name, password=PASSWORD, next="/dags/etl/grid")
    assert (response.status_code, response.headers["location"]) == (303, "/dags/etl/grid")
    me = client.get("/ui/api/me").json()
    assert (me["username"], me["role"]) == ("viewer", "Viewer")
    assert client.get("/login?next=/x").headers["location"] == "/x"


def test_wrong_password_re_renders_the_form_with_the_username_escaped(fast_api: Api) -> None:
    response = post_login(fast_api, fast_api.client, username='<script>"x"</script>', password="bad-password")
    assert response.status_code == 401
    assert "Invalid credentials" in response.text
    assert "&lt;script&gt;&#34;x&#34;&lt;/script&gt;" in response.text
    assert "<script>" not in response.text


def test_the_form_needs_its_nonce(fast_api: Api) -> None:
    name = fast_api.user("Viewer")
    client = fast_api.client
    client.get("/login")
    forged = client.post("/login", data={"username": name, "password": PASSWORD, "login_csrf": "guess"})
    assert forged.status_code == 403
    assert client.get("/ui/api/me").status_code == 401


def test_throttled_logins_answer_429_with_retry_after(fast_api: Api) -> None:
    name = fast_api.user("Viewer")
    for _ in range(5):
        post_login(fast_api, fast_api.client, username=name, password="bad-password")
    response = post_login(fast_api, fast_api.client, username=name, password=PASSWORD)
    assert (response.status_code, response.headers["Retry-After"]) == (429, "1")
    assert "Too many failed attempts" in response.text


def test_logout_ends_the_session(fast_api: Api) -> None:
    browser, token = fast_api.browser("Viewer")
    response = browser.post("/logout", headers={"X-CSRF-Token": token})
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    assert browser.get("/ui/api/me").status_code == 401
    with fast_api.store.transaction(readonly=True) as tx:
        assert [e.event for e in tx.audit.list().items] == ["logout", "login"]


def test_only_paths_on_this_site_are_followed_after_login() -> None:
    assert safe_next("/dags?x=1") == "/dags?x=1"
    for outside in ("https://evil.example", "//evil.example", "/\\evil.example", "", None, "dags"):
        assert safe_next(outside) == "/"
