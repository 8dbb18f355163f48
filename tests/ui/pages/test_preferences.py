from fastapi.testclient import TestClient

from tests.ui.helpers import add_dag, post_form, simple_dag


def test_home_is_the_dag_list(admin) -> None:
    answer = admin.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == "/dags"


def test_accept_language_picks_portuguese(store, admin, clock) -> None:
    add_dag(store, simple_dag(), clock())
    html = admin.get("/dags", headers={"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.8"}).text
    assert '<html lang="pt-BR"' in html
    assert "Próxima execução" in html and "Variáveis" in html and "Todos os dias" in html
    english = admin.get("/dags", headers={"Accept-Language": "en-US"}).text
    assert '<html lang="en"' in english and "Next run" in english and "Every day" in english


def test_the_switcher_sets_a_cookie_that_wins(admin) -> None:
    answer = post_form(admin, "/language", {"lang": "pt-BR", "next": "/variables"})
    assert answer.status_code == 303 and answer.headers["location"] == "/variables"
    cookie = answer.headers["set-cookie"]
    assert "brisa_lang=pt-BR" in cookie and "samesite=lax" in cookie.lower()
    html = admin.get("/dags", headers={"Accept-Language": "en"}).text
    assert '<html lang="pt-BR"' in html and "Sair" in html
    post_form(admin, "/language", {"lang": "en"})
    assert '<html lang="en"' in admin.get("/dags", headers={"Accept-Language": "pt-BR"}).text


def test_an_unknown_language_changes_nothing(admin) -> None:
    answer = post_form(admin, "/language", {"lang": "tlh", "next": "/dags"})
    assert answer.status_code == 303 and "set-cookie" not in answer.headers


def test_the_switcher_needs_a_csrf_token(admin) -> None:
    assert post_form(admin, "/language", {"lang": "pt-BR"}, csrf=False).status_code == 403


def test_the_login_page_follows_accept_language(app) -> None:
    with TestClient(app) as client:
        html = client.get("/login", headers={"Accept-Language": "pt-BR"}).text
        assert "Entrar" in html and "Senha" in html and 'name="login_csrf"' in html
        failed = client.post(
            "/login",
            data={"username": "admin", "password": "wrong password", "login_csrf": "x"},
            headers={"Accept-Language": "pt-BR"},
        )
        assert "O formulário de login expirou" in failed.text


def test_the_theme_cookie_pins_light_or_dark(admin) -> None:
    assert 'data-theme="auto"' in admin.get("/dags").text
    admin.cookies.set("brisa_theme", "dark")
    assert 'data-theme="dark"' in admin.get("/dags").text
    admin.cookies.set("brisa_theme", '"><script>')
    assert 'data-theme="auto"' in admin.get("/dags").text
