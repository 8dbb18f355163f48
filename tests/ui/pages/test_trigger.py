import json

from brisa.ui.params import FIELD_PREFIX
from tests.ui.helpers import XSS, add_dag, assert_escaped, field_html, post_form, simple_dag

PARAMS = {
    "count": {"value": 3, "schema": {"type": "integer", "minimum": 1}, "description": "How many"},
    "color": {"value": "red", "schema": {"type": "string", "enum": ["red", "blue"]}},
    "flag": {"value": False, "schema": {"type": "boolean"}},
    "items": {"value": ["a"], "schema": {"type": "array", "items": {"type": "string"}}},
    "options": {"value": {}, "schema": {"type": "object"}},
    "code": {"value": "AB", "schema": {"type": "string", "pattern": "^[A-Z]+$"}},
}


def dag_with_params(store, clock, params=PARAMS):
    dag = simple_dag(params=params)
    add_dag(store, dag, clock())
    return dag


def valid_form(**changes: str) -> dict[str, str]:
    form = {
        FIELD_PREFIX + "count": "5",
        FIELD_PREFIX + "color": '"blue"',
        FIELD_PREFIX + "flag": "true",
        FIELD_PREFIX + "items": "x\ny",
        FIELD_PREFIX + "options": '{"k": 1}',
        FIELD_PREFIX + "code": "XYZ",
        "conf": "",
        "logical_date": "",
        "run_id": "",
        "note": "",
    }
    form.update(changes)
    return form


def runs_of(store, dag_id: str = "etl"):
    with store.transaction(readonly=True) as tx:
        return tx.runs.search(dag_id=dag_id).items


def test_the_form_has_a_field_per_param_with_its_default(store, admin, clock) -> None:
    dag_with_params(store, clock)
    html = admin.get("/dags/etl/trigger").text
    assert 'type="number" step="1" name="param.count" value="3"' in html
    assert '<option value="&#34;blue&#34;">blue</option>' in html
    assert 'name="param.flag" value="true">' in html  # unchecked
    assert ">a</textarea>" in field_html(html, "items")
    assert "How many" in field_html(html, "count")
    assert 'name="conf"' in html


def test_a_valid_form_triggers_a_run_with_its_conf(store, admin, clock) -> None:
    dag_with_params(store, clock)
    answer = post_form(admin, "/dags/etl/trigger", valid_form(note="by hand"))
    assert answer.status_code == 303
    (run,) = runs_of(store)
    assert answer.headers["location"].startswith("/dags/etl/grid?run_id=")
    assert run.conf == {
        "count": 5,
        "color": "blue",
        "flag": True,
        "items": ["x", "y"],
        "options": {"k": 1},
        "code": "XYZ",
    }
    assert run.triggered_by == "ui" and run.triggering_user == "admin" and run.note == "by hand"
    assert run.logical_date == clock()
    with store.transaction(readonly=True) as tx:
        (event,) = tx.audit.list(event="trigger_dag_run").items
    assert event.owner == "admin" and event.run_id == run.run_id


def test_the_raw_conf_overrides_fields_and_may_add_keys(store, admin, clock) -> None:
    dag_with_params(store, clock)
    conf = json.dumps({"count": 9, "extra": "yes"})
    post_form(
        admin, "/dags/etl/trigger", valid_form(conf=conf, run_id="my_run", logical_date="2025-05-06T07:08")
    )
    (run,) = runs_of(store)
    assert run.conf["count"] == 9 and run.conf["extra"] == "yes" and run.conf["color"] == "blue"
    assert run.run_id == "my_run" and run.logical_date.isoformat() == "2025-05-06T07:08:00+00:00"


def test_validation_errors_are_shown_next_to_their_fields(store, admin, clock) -> None:
    dag_with_params(store, clock)
    bad = valid_form(
        **{FIELD_PREFIX + "count": "0", FIELD_PREFIX + "code": "lower", FIELD_PREFIX + "options": "[]"}
    )
    answer = post_form(admin, "/dags/etl/trigger", {**bad, "conf": "{not json", "logical_date": "yesterday"})
    assert answer.status_code == 400
    html = answer.text
    assert "The run was not created" in html
    assert "0 is less than the minimum of 1" in field_html(html, "count")
    assert "does not match" in field_html(html, "code")
    assert "must be a JSON object" in field_html(html, "options")
    assert "not valid JSON" in field_html(html, "conf")
    assert "not a date and time" in html
    assert "field-error" not in field_html(html, "color")
    assert 'value="lower"' in field_html(html, "code")  # what was typed is kept
    assert runs_of(store) == []


def test_an_unparseable_number_is_reported(store, admin, clock) -> None:
    dag_with_params(store, clock)
    answer = post_form(admin, "/dags/etl/trigger", valid_form(**{FIELD_PREFIX + "count": "many"}))
    assert answer.status_code == 400 and "must be a whole number" in field_html(answer.text, "count")


def test_a_required_param_without_a_value(store, admin, clock) -> None:
    dag_with_params(
        store, clock, {"needed": {"value": None, "has_value": False, "schema": {"type": "string"}}}
    )
    answer = post_form(admin, "/dags/etl/trigger", {FIELD_PREFIX + "needed": "", "conf": ""})
    assert answer.status_code == 400
    assert "No value passed and Param has no default value" in field_html(answer.text, "needed")
    answer = post_form(admin, "/dags/etl/trigger", {"conf": '{"needed": null}'})
    assert "None is not of type &#39;string&#39;" in field_html(answer.text, "needed")


def test_errors_are_translated_where_the_message_is_ours(store, admin, clock) -> None:
    dag_with_params(store, clock)
    admin.cookies.set("brisa_lang", "pt-BR")
    answer = post_form(admin, "/dags/etl/trigger", valid_form(**{FIELD_PREFIX + "count": "x"}))
    assert "deve ser um número inteiro" in field_html(answer.text, "count")
    assert "A execução não foi criada" in answer.text


def test_a_duplicate_run_id_is_reported(store, admin, clock) -> None:
    dag_with_params(store, clock)
    post_form(admin, "/dags/etl/trigger", valid_form(run_id="same"))
    clock.advance(60)
    answer = post_form(admin, "/dags/etl/trigger", valid_form(run_id="same"))
    assert answer.status_code == 400 and "already exists" in answer.text
    assert len(runs_of(store)) == 1


def test_a_dag_with_import_errors_cannot_be_triggered(store, admin, clock) -> None:
    dag = dag_with_params(store, clock)
    with store.transaction() as tx:
        tx.dags.replace_import_errors(dag.fileloc, [{"message": "boom"}], now=clock())
    answer = post_form(admin, "/dags/etl/trigger", valid_form())
    assert answer.status_code == 400 and "import errors" in answer.text
    assert runs_of(store) == []


def test_viewers_cannot_trigger(store, viewer, clock) -> None:
    dag_with_params(store, clock)
    assert viewer.get("/dags/etl/trigger").status_code == 403
    assert post_form(viewer, "/dags/etl/trigger", valid_form()).status_code == 403
    assert runs_of(store) == []


def test_trigger_needs_a_csrf_token(store, admin, clock) -> None:
    dag_with_params(store, clock)
    assert post_form(admin, "/dags/etl/trigger", valid_form(), csrf=False).status_code == 403
    assert runs_of(store) == []


def test_params_are_escaped_in_the_form_and_its_errors(store, admin, clock) -> None:
    params = {
        XSS: {"value": XSS, "schema": {"type": "string", "title": XSS, "enum": [XSS]}, "description": XSS}
    }
    dag_with_params(store, clock, params)
    assert_escaped(admin.get("/dags/etl/trigger").text, XSS)
    answer = post_form(admin, "/dags/etl/trigger", {f"{FIELD_PREFIX}{XSS}": json.dumps("other"), "conf": ""})
    assert answer.status_code == 400
    assert_escaped(answer.text, XSS)


def test_the_limits_on_a_new_run_are_reported_and_nothing_is_created(store, admin, clock) -> None:
    dag_with_params(store, clock)
    for deep in (300, 50_000):
        answer = post_form(admin, "/dags/etl/trigger", valid_form(conf='{"a":' * deep + "1" + "}" * deep))
        assert answer.status_code == 400, deep
        assert "nested" in answer.text, deep
    answer = post_form(admin, "/dags/etl/trigger", valid_form(**{FIELD_PREFIX + "options": "[" * 50_000}))
    assert answer.status_code == 400
    for run_id in ("a/b", "..", "x y"):
        answer = post_form(admin, "/dags/etl/trigger", valid_form(run_id=run_id))
        assert answer.status_code == 400, run_id
        assert "run_id" in answer.text, run_id
    answer = post_form(admin, "/dags/etl/trigger", valid_form(logical_date="9999-12-31T00:00"))
    assert answer.status_code == 400 and "out of range" in answer.text
    too_big = post_form(admin, "/dags/etl/trigger", valid_form(note="x" * (5 * 1024 * 1024)))
    assert too_big.status_code == 413
    assert runs_of(store) == []
