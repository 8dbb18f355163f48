from brisa.ui.pages._common import Pager, dag_url, form_int, query_string, task_url


def test_query_strings_leave_out_empty_values_and_escape() -> None:
    assert query_string(a=1, b=None, c="", d="x y&z") == "?a=1&d=x+y%26z"
    assert query_string(a=None) == ""


def test_urls_escape_ids() -> None:
    assert dag_url("a/b c") == "/dags/a%2Fb%20c/grid"
    assert dag_url("d", "graph", run_id="r+1") == "/dags/d/graph?run_id=r%2B1"
    assert task_url("d", "r", "t") == "/dags/d/task?run_id=r&task_id=t"
    assert task_url("d", "r", "t", 2, 3) == "/dags/d/task?run_id=r&task_id=t&map_index=2&try_number=3"


def test_pager() -> None:
    pager = Pager(page=2, size=25, total=51)
    assert (pager.pages, pager.offset, pager.has_previous, pager.has_next) == (3, 25, True, True)
    assert Pager(1, 25, 0).pages == 1 and not Pager(1, 25, 0).has_next


def test_form_int() -> None:
    assert form_int({"n": "4"}, "n", -1) == 4
    assert form_int({"n": "x"}, "n", -1) == -1
    assert form_int({}, "n", -1) == -1
