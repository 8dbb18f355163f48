"""``connections test``: real checks against real servers and files."""

import base64
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlsplit

import pytest

from brisa.secrets.probes import http_base_url, probe_connection
from tests.conftest import PG_ADMIN_URL


@pytest.fixture
def http_server():
    """A local server: ``/`` answers 200, anything else 404; remembers the request headers."""
    seen = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.update(self.headers)
            self.send_response(200 if self.path == "/" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


def test_http_passes_on_a_2xx_and_sends_auth_and_headers(http_server):
    port, seen = http_server
    conn = {
        "conn_type": "http",
        "host": "127.0.0.1",
        "port": port,
        "login": "me",
        "password": "pw-123456",
        "extra": {"X-Tenant": "t1", "timeout": 5},
    }
    result = probe_connection(conn)
    assert result.ok is True and "200" in result.message
    assert seen["X-Tenant"] == "t1" and "timeout" not in {k.lower() for k in seen}
    assert base64.b64decode(seen["Authorization"].split()[1]) == b"me:pw-123456"


def test_http_fails_on_a_4xx(http_server):
    port, _ = http_server
    result = probe_connection({"conn_type": "http", "host": f"http://127.0.0.1:{port}/missing"})
    assert result.ok is False and "404" in result.message


def test_http_base_url_follows_airflows_http_hook():
    assert http_base_url({"conn_type": "http", "host": "h", "port": 81}) == "http://h:81"
    assert http_base_url({"conn_type": "http", "host": "h", "schema": "https"}) == "https://h"
    assert http_base_url({"conn_type": "https", "host": "h"}) == "https://h"
    assert http_base_url({"conn_type": "http", "host": "https://h/v1"}) == "https://h/v1"


def test_a_failure_message_never_shows_the_password(tmp_path):
    password = "pw-in-the-path-98765"
    conn = {"conn_type": "sqlite", "host": str(tmp_path / f"{password}.db"), "password": password}
    result = probe_connection(conn)
    assert result.ok is False and ".db" in result.message
    assert password not in result.message


def test_sqlite_opens_the_file_named_by_host(tmp_path):
    path = tmp_path / "app.db"
    sqlite3.connect(path).close()
    assert probe_connection({"conn_type": "sqlite", "host": str(path)}).ok is True
    missing = probe_connection({"conn_type": "sqlite", "host": str(tmp_path / "nope.db")})
    assert missing.ok is False and "nope.db" in missing.message
    assert not (tmp_path / "nope.db").exists()


def test_fs_checks_the_path_of_the_extra(tmp_path):
    assert probe_connection({"conn_type": "fs", "extra": {"path": str(tmp_path)}}).ok is True
    assert probe_connection({"conn_type": "fs", "extra": {"path": str(tmp_path / "x")}}).ok is False
    assert "no 'path'" in probe_connection({"conn_type": "fs", "extra": {}}).message


def test_other_types_have_no_test_which_is_not_a_pass():
    result = probe_connection({"conn_type": "mysql", "host": "h"})
    assert result.ok is None
    assert "No test is available for connection type 'mysql'" in result.message


@pytest.mark.postgres
def test_postgres_connects_and_selects():
    url = urlsplit(PG_ADMIN_URL)
    conn = {
        "conn_type": "postgresql",
        "host": url.hostname,
        "port": url.port,
        "login": url.username,
        "password": url.password,
        "schema": url.path.lstrip("/"),
        "extra": {"application_name": "brisa-probe-test"},
    }
    result = probe_connection(conn)
    assert result.ok is True and "PostgreSQL" in result.message


@pytest.mark.postgres
def test_postgres_failure_is_reported():
    result = probe_connection(
        {"conn_type": "postgres", "host": "127.0.0.1", "port": 1, "schema": "x"}, timeout=2
    )
    assert result.ok is False and result.message


@pytest.mark.redis
def test_redis_pings():
    assert probe_connection({"conn_type": "redis", "host": "127.0.0.1", "port": 6379}).ok is True
    refused = probe_connection({"conn_type": "redis", "host": "127.0.0.1", "port": 1}, timeout=2)
    assert refused.ok is False
