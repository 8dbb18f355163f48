import json

from tests.ui.helpers import XSS, assert_escaped, post_form


def stored(app, key: str):
    return app.state.brisa.secrets.variable_entry(key)


def test_create_edit_and_delete(app, admin) -> None:
    created = post_form(
        admin, "/variables/new", {"key": "region", "value": "sa-east-1", "description": "where"}
    )
    assert created.status_code == 303 and created.headers["location"] == "/variables"
    html = admin.get("/variables").text
    assert "region" in html and "sa-east-1" in html and "where" in html
    assert (
        'value="sa-east-1"' not in admin.get("/variables/edit?key=region").text
    )  # a text area, not an input
    assert "sa-east-1</textarea>" in admin.get("/variables/edit?key=region").text
    post_form(
        admin, "/variables/edit", {"key": "region", "value": "us-east-1\r\nsecond line", "description": ""}
    )
    entry = stored(app, "region")
    assert entry.value == "us-east-1\nsecond line" and entry.description is None
    assert post_form(admin, "/variables/delete", {"key": "region"}).status_code == 303
    assert "region" not in admin.get("/variables").text


def test_a_key_that_exists_or_is_empty_is_refused_with_the_form_kept(app, admin) -> None:
    post_form(admin, "/variables/new", {"key": "k", "value": "one"})
    again = post_form(admin, "/variables/new", {"key": "k", "value": "two"})
    assert again.status_code == 400 and "already exists" in again.text and "two</textarea>" in again.text
    assert stored(app, "k").value == "one"
    empty = post_form(admin, "/variables/new", {"key": " ", "value": "x"})
    assert empty.status_code == 400 and "non-empty" in empty.text


def test_secret_values_are_never_shown_and_survive_an_unchanged_edit(app, admin) -> None:
    post_form(admin, "/variables/new", {"key": "db_password", "value": "hunter2-secret"})
    post_form(admin, "/variables/new", {"key": "settings", "value": json.dumps({"api_key": "k-123", "n": 1})})
    for page in ("/variables", "/variables/edit?key=db_password", "/variables/edit?key=settings"):
        html = admin.get(page).text
        assert "hunter2-secret" not in html and "k-123" not in html
    edit = admin.get("/variables/edit?key=db_password").text
    assert "***</textarea>" in edit
    post_form(admin, "/variables/edit", {"key": "db_password", "value": "***", "description": "kept"})
    assert stored(app, "db_password").value == "hunter2-secret"
    masked_json = json.dumps({"api_key": "***", "n": 1})
    post_form(admin, "/variables/edit", {"key": "settings", "value": masked_json})
    assert json.loads(stored(app, "settings").value) == {"api_key": "k-123", "n": 1}
    post_form(admin, "/variables/edit", {"key": "db_password", "value": "new-one"})
    assert stored(app, "db_password").value == "new-one"


def test_values_are_escaped(app, admin) -> None:
    app.state.brisa.secrets.set_variable("xss", XSS, XSS)
    assert_escaped(admin.get("/variables").text, XSS)
    assert_escaped(admin.get("/variables/edit?key=xss").text, XSS)


def test_search_and_pages(app, admin) -> None:
    for n in range(27):
        app.state.brisa.secrets.set_variable(f"var_{n:02d}", "v")
    app.state.brisa.secrets.set_variable("other", "v")
    assert admin.get("/variables?page=2").text.count("<code>var_") == 3
    found = admin.get("/variables?q=other").text
    assert "other" in found and "var_01" not in found


def test_roles(app, client_for) -> None:
    app.state.brisa.secrets.set_variable("k", "v")
    op, user, viewer = client_for("op"), client_for("user"), client_for("viewer")
    assert op.get("/variables").status_code == 200
    assert post_form(op, "/variables/new", {"key": "from_op", "value": "1"}).status_code == 303
    for client in (user, viewer):
        assert client.get("/variables").status_code == 403
        assert post_form(client, "/variables/new", {"key": "x", "value": "1"}).status_code == 403
        assert post_form(client, "/variables/edit", {"key": "k", "value": "changed"}).status_code == 403
        assert post_form(client, "/variables/delete", {"key": "k"}).status_code == 403
    assert stored(app, "k").value == "v"
    assert 'href="/variables"' not in viewer.get("/dags").text


def test_forms_need_a_csrf_token(app, admin) -> None:
    assert post_form(admin, "/variables/new", {"key": "k", "value": "v"}, csrf=False).status_code == 403
    assert "k" not in [e.key for e in app.state.brisa.secrets.list_variables().items]
