import json

from tests.ui.helpers import XSS, assert_escaped, post_form

FORM = {
    "conn_id": "warehouse",
    "conn_type": "postgres",
    "description": "the warehouse",
    "host": "db.example.com",
    "schema": "analytics",
    "login": "etl",
    "password": "pg-secret-pass",
    "port": "5432",
    "extra": json.dumps({"sslmode": "require", "private_key": "PK-999"}),
}


def stored(app, conn_id: str):
    return app.state.brisa.secrets.connection_entry(conn_id)


def test_create_list_edit_delete(app, admin) -> None:
    assert post_form(admin, "/connections/new", FORM).status_code == 303
    entry = stored(app, "warehouse")
    assert (entry.host, entry.port, entry.password) == ("db.example.com", 5432, "pg-secret-pass")
    assert entry.extra == {"sslmode": "require", "private_key": "PK-999"}
    listing = admin.get("/connections").text
    assert "warehouse" in listing and "db.example.com" in listing and "5432" in listing
    edit = admin.get("/connections/edit?conn_id=warehouse").text
    assert "A password is stored" in edit and "&#34;sslmode&#34;: &#34;require&#34;" in edit
    shown_extra = json.dumps({"sslmode": "disable", "private_key": "***"})
    changed = {**FORM, "host": "db2.example.com", "password": "", "extra": shown_extra}
    assert post_form(admin, "/connections/edit", changed).status_code == 303
    entry = stored(app, "warehouse")
    assert entry.host == "db2.example.com" and entry.password == "pg-secret-pass"  # empty keeps it
    assert entry.extra == {"sslmode": "disable", "private_key": "PK-999"}  # *** keeps the secret
    assert post_form(admin, "/connections/delete", {"conn_id": "warehouse"}).status_code == 303
    assert "warehouse" not in admin.get("/connections").text


def test_secrets_never_reach_the_browser(app, admin) -> None:
    post_form(admin, "/connections/new", FORM)
    for page in ("/connections", "/connections/edit?conn_id=warehouse"):
        html = admin.get(page).text
        assert "pg-secret-pass" not in html and "PK-999" not in html
    refused = post_form(admin, "/connections/new", {**FORM, "conn_id": "bad", "port": "http"})
    assert refused.status_code == 400 and "port must be a whole number" in refused.text
    assert "pg-secret-pass" not in refused.text


def test_invalid_input_is_shown_on_the_form(app, admin) -> None:
    bad_id = post_form(admin, "/connections/new", {**FORM, "conn_id": "no spaces allowed"})
    assert bad_id.status_code == 400 and "invalid conn_id" in bad_id.text
    bad_extra = post_form(admin, "/connections/new", {**FORM, "extra": "[1, 2]"})
    assert bad_extra.status_code == 400 and "extra must be a JSON object" in bad_extra.text
    post_form(admin, "/connections/new", FORM)
    duplicate = post_form(admin, "/connections/new", FORM)
    assert duplicate.status_code == 400 and "already exists" in duplicate.text


def test_fields_are_escaped(app, admin) -> None:
    app.state.brisa.secrets.set_connection(
        {"conn_id": "x", "conn_type": XSS, "host": XSS, "description": XSS, "extra": {"note": XSS}}
    )
    assert_escaped(admin.get("/connections").text, XSS)
    assert_escaped(admin.get("/connections/edit?conn_id=x").text, XSS)


def test_roles(app, client_for) -> None:
    op, viewer = client_for("op"), client_for("viewer")
    assert post_form(op, "/connections/new", FORM).status_code == 303
    assert viewer.get("/connections").status_code == 403
    assert post_form(viewer, "/connections/delete", {"conn_id": "warehouse"}).status_code == 403
    assert stored(app, "warehouse").conn_id == "warehouse"
