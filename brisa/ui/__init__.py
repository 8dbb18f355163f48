"""The server-rendered web UI: Jinja2 pages over the store, a little JavaScript, no build step.

``brisa.api.app.create_app`` installs it through :data:`brisa.api.app.UI_MODULES`
(``brisa.ui.pages.install``). Pages reuse the API's login, session cookie, CSRF check
and permission dependencies; everything here only reads the store and calls the same
services as ``/api/v2`` (``brisa.services``) for actions.

* :mod:`~brisa.ui.i18n` and :mod:`~brisa.ui.catalog`  English and Brazilian Portuguese
* :mod:`~brisa.ui.render`                            page, fragment and error rendering
* :mod:`~brisa.ui.grid`, :mod:`~brisa.ui.graph`, :mod:`~brisa.ui.charts`  pure view models
* :mod:`~brisa.ui.params`                            the trigger form from a DAG's params
* :mod:`~brisa.ui.pages`                             the routes, one module per area
"""

from __future__ import annotations

__all__: list[str] = []
