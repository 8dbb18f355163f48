"""``/`` (to the DAG list) and ``POST /language``: the language switcher in the page header."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from brisa.api.security import Principal, authenticated, is_https
from brisa.ui.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE, normalize_language
from brisa.ui.pages._common import back_to, read_form, redirect

router = APIRouter(include_in_schema=False)
Anyone = Annotated[Principal, Depends(authenticated)]


@router.get("/")
def home(_: Anyone) -> Response:
    return redirect("/dags")


@router.post("/language")
async def set_language(request: Request, _: Anyone) -> Response:
    """Remember the chosen language in a cookie for a year (``next`` says where to go back)."""
    form = await read_form(request)
    response = back_to(form, "/dags")
    language = normalize_language(form.get("lang"))
    if language is not None:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=LANGUAGE_COOKIE_MAX_AGE,
            path="/",
            secure=is_https(request),
            httponly=True,
            samesite="lax",
        )
    return response


__all__ = ["router"]
