"""What the page modules share: form reading, redirects, URLs, paging."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse

from brisa.api.routes.session import safe_next
from brisa.ui.formatting import url_part

PAGE_SIZE = 25


async def read_form(request: Request) -> dict[str, str]:
    """An url-encoded form as ``{name: last value}`` (files are not accepted)."""
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


def redirect(url: str) -> RedirectResponse:
    """After a POST: see the result with a GET (303), never resubmit on reload."""
    return RedirectResponse(url, status_code=303)


def back_to(form: Mapping[str, str], default: str) -> RedirectResponse:
    """Redirect to the form's ``next`` field when it is a path on this site."""
    target = form.get("next")
    return redirect(safe_next(target) if target else default)


def query_string(**values: Any) -> str:
    """``?a=1&b=x`` with None and empty values left out (``""`` when nothing is left)."""
    kept = {k: v for k, v in values.items() if v is not None and v != ""}
    return "?" + urlencode(kept) if kept else ""


def dag_url(dag_id: str, tab: str = "grid", **query: Any) -> str:
    return f"/dags/{url_part(dag_id)}/{tab}" + query_string(**query)


def task_url(
    dag_id: str, run_id: str, task_id: str, map_index: int = -1, try_number: int | None = None
) -> str:
    return dag_url(
        dag_id,
        "task",
        run_id=run_id,
        task_id=task_id,
        map_index=map_index if map_index >= 0 else None,
        try_number=try_number,
    )


@dataclass(frozen=True)
class Pager:
    page: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number(value: int | None) -> int:
    return max(1, value or 1)


def form_int(form: Mapping[str, str], name: str, default: int) -> int:
    try:
        return int(form.get(name, default))
    except ValueError:
        return default


__all__ = [
    "PAGE_SIZE",
    "Pager",
    "back_to",
    "dag_url",
    "form_int",
    "page_number",
    "query_string",
    "read_form",
    "redirect",
    "task_url",
]
