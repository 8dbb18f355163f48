from brisa.ui.pages.records import parse_extra
from tests.ui.helpers import XSS, add_dag, assert_escaped, post_form, simple_dag


def test_the_audit_log_says_who_did_what(store, admin, clock) -> None:
    add_dag(store, simple_dag(), clock())
    post_form(admin, "/dags/etl/pause", {"is_paused": "false"})
    html = admin.get("/audit-log").text
    assert "patch_dag" in html and "login" in html and ">admin<" in html
    filtered = admin.get("/audit-log?event=patch_dag").text
    assert "patch_dag" in filtered and "<code>login</code>" not in filtered
    assert '"is_paused": false' in filtered


def test_audit_details_are_escaped(store, admin, clock) -> None:
    with store.transaction() as tx:
        tx.audit.record(XSS, now=clock(), owner=XSS, dag_id=XSS, extra={XSS: XSS})
        tx.audit.record("plain", now=clock(), extra="not json " + XSS)
    html = admin.get("/audit-log").text
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_only_admins_read_the_audit_log(client_for) -> None:
    assert client_for("op").get("/audit-log").status_code == 403


def test_import_errors_page_is_escaped_and_open_to_viewers(store, viewer, clock) -> None:
    with store.transaction() as tx:
        tx.dags.replace_import_errors(f"/dags/{XSS}.py", [{"message": "m", "stacktrace": XSS}], now=clock())
    html = viewer.get("/import-errors").text
    assert_escaped(html, XSS)
    assert "Every DAG file loaded." not in html


def test_parse_extra() -> None:
    assert parse_extra('{"a": 1}') == {"a": 1}
    assert parse_extra("text") == "text"
    assert parse_extra(None) is None
