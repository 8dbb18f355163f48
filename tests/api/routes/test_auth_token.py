"""``POST /auth/token`` and ``/auth/token/cli``, as Airflow's simple auth manager answers."""

from __future__ import annotations

from brisa.auth.tokens import verify_token
from tests.api.conftest import PASSWORD, Api


def test_a_token_for_json_or_form_credentials(fast_api: Api) -> None:
    name = fast_api.user("Op")
    by_json = fast_api.client.post("/auth/token", json={"username": name, "password": PASSWORD})
    assert by_json.status_code == 201
    ctx = fast_api.app.state.brisa
    claims = verify_token(by_json.json()["access_token"], secret=ctx.secret_key, now=ctx.now())
    assert (claims.username, claims.role.value) == ("op", "Op")
    assert claims.expires_at - claims.issued_at == ctx.token_ttl
    by_form = fast_api.client.post("/auth/token", data={"username": name, "password": PASSWORD})
    assert by_form.status_code == 201
    cli = fast_api.client.post("/auth/token/cli", json={"username": name, "password": PASSWORD})
    assert cli.status_code == 201
    with fast_api.store.transaction(readonly=True) as tx:
        assert [(e.event, e.owner) for e in tx.audit.list().items] == [("login", "op")] * 3


def test_refusals_have_airflows_statuses(fast_api: Api) -> None:
    name = fast_api.user("Op")
    post = fast_api.client.post
    empty = post("/auth/token", json={"username": name, "password": ""})
    assert (empty.status_code, empty.json()) == (400, {"detail": "Username and password must be provided"})
    wrong = post("/auth/token", json={"username": name, "password": "nope"})
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "Invalid credentials"})
    assert post("/auth/token", content="x", headers={"Content-Type": "text/plain"}).status_code == 415
    assert post("/auth/token", json={"username": name}).status_code == 422
    assert post("/auth/token", json={"username": name, "password": "p", "extra": 1}).status_code == 422
    assert post("/auth/token", content="{", headers={"Content-Type": "application/json"}).status_code == 422
    assert post("/auth/token", json=[1]).status_code == 422
