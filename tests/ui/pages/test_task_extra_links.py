"""Operator extra links on the task instance page: http(s) URLs the try stored become
anchors opening a new tab without ``window.opener``; anything else is never a link."""

from brisa.states import TaskState
from brisa.store.records import TaskKey
from brisa.ui.pages._common import task_url
from brisa.ui.pages.tasks import safe_url
from tests.ui.helpers import XSS, add_dag, add_run, assert_escaped, simple_dag

LINKS = {
    "Console": "_link_ConsoleLink",
    "Evil": "_link_EvilLink",
    "Docs": "_link_DocsLink",
    XSS: "_link_XssLink",
}


def seeded(store, clock) -> TaskKey:
    dag = simple_dag(task_options={"extract": {"extra_links": LINKS}})
    add_dag(store, dag, clock())
    run = add_run(store, dag, clock(), states={"extract": TaskState.SUCCESS})
    key = TaskKey("etl", run.run_id, "extract")
    with store.transaction() as tx:
        tx.xcoms.set(key, "_link_ConsoleLink", "https://console.example/job?id=1&x=2", now=clock())
        tx.xcoms.set(key, "_link_EvilLink", "javascript:alert(document.cookie)", now=clock())
        tx.xcoms.set(key, "_link_XssLink", "http://ok.example/", now=clock())
    return key


def test_links_are_anchors_with_noopener_and_only_for_http_urls(store, viewer, clock) -> None:
    key = seeded(store, clock)
    html = viewer.get(task_url(*key)).text
    assert 'data-testid="extra-links"' in html
    assert (
        '<a class="button" href="https://console.example/job?id=1&amp;x=2" target="_blank" '
        'rel="noopener noreferrer">Console</a>'
    ) in html
    assert 'href="javascript:' not in html  # shown in the XComs table only, as text
    assert '<span class="button disabled" aria-disabled="true"' in html and ">Evil</span>" in html
    assert ">Docs</span>" in html  # not given by the try: shown, not a link
    assert_escaped(html, XSS)


def test_a_task_without_links_shows_no_links_block(store, viewer, clock) -> None:
    dag = simple_dag()
    add_dag(store, dag, clock())
    run = add_run(store, dag, clock(), states={"extract": TaskState.SUCCESS})
    assert 'data-testid="extra-links"' not in viewer.get(task_url("etl", run.run_id, "extract")).text


def test_safe_url_keeps_only_http_and_https_addresses() -> None:
    assert safe_url("https://a.example/x") == "https://a.example/x"
    assert safe_url(" HTTP://a.example ") == "HTTP://a.example"
    for bad in (
        "javascript:alert(1)",
        "JaVaScRiPt://x",
        "data:text/html,x",
        "//evil.example",
        "/relative",
        "",
        None,
        3,
    ):
        assert safe_url(bad) is None
