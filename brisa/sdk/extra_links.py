"""Operator extra links: the URLs a task's ``operator_extra_links`` point to.

As in Airflow 3, each link is computed in the task's own process at the end of every
try and stored as an XCom (``_link_<LinkClassName>``), so the API answers from the
store with the serialized DAG only and never imports operator code.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

log = logging.getLogger(__name__)


def link_xcom_key(link: Any) -> str:
    """The XCom key a link's URL is stored under (Airflow's ``BaseOperatorLink.xcom_key``)."""
    key = getattr(link, "xcom_key", None)
    return key if isinstance(key, str) and key else f"_link_{type(link).__name__}"


def extra_link_keys(task: Any) -> dict[str, str]:
    """``{link name: XCom key}`` for the task's links (what the serialized DAG keeps)."""
    links = getattr(task, "operator_extra_links", None) or ()
    return {str(link.name): link_xcom_key(link) for link in links if getattr(link, "name", "")}


def compute_links(task: Any, ti: Any) -> list[tuple[str, str]]:
    """``(XCom key, URL)`` for each link that gives one; a failing link is logged and
    skipped, as in Airflow, so a broken link never fails the task."""
    found = []
    for link in getattr(task, "operator_extra_links", None) or ():
        try:
            url = _call(link, task, ti)
        except Exception:
            log.exception("Extra link %r of task %s failed", getattr(link, "name", link), task.task_id)
            continue
        if url:
            found.append((link_xcom_key(link), str(url)))
    return found


def _call(link: Any, task: Any, ti: Any) -> Any:
    # Airflow 3 passes the task instance as ``ti_key``; 2.x links may take ``dttm``
    # (the logical date) or ``ti_key`` positionally.
    params = inspect.signature(link.get_link).parameters
    if "ti_key" in params:
        return link.get_link(task, ti_key=ti)
    if "dttm" in params:
        return link.get_link(task, dttm=getattr(ti, "logical_date", None))
    return link.get_link(task, ti)
