"""Heroku Redis: ``REDIS_URL=rediss://...`` served with a self-signed certificate.

A local ``redis-server`` with TLS and a certificate made on the spot stands in for it:
the URL exactly as Heroku sets it (no ``ssl_cert_reqs``) must give a Celery broker
connection that works, where a verifying client fails.
"""

import shutil
import subprocess
import time

import pytest
import redis

from brisa.config import Resources, load_settings
from brisa.executors.celery import make_celery_app
from tests.paas.heroku import free_port

HAS_TOOLS = bool(shutil.which("redis-server") and shutil.which("openssl"))
pytestmark = [pytest.mark.redis, pytest.mark.skipif(not HAS_TOOLS, reason="needs redis-server and openssl")]


@pytest.fixture
def heroku_redis(tmp_path):
    """A TLS-only redis-server with a self-signed certificate; yields its rediss:// URL."""
    key, cert = str(tmp_path / "key.pem"), str(tmp_path / "cert.pem")
    make_certificate = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    make_certificate += ["-subj", "/CN=heroku-redis", "-keyout", key, "-out", cert]
    subprocess.run(make_certificate, check=True, capture_output=True)
    port = free_port()
    serve = ["redis-server", "--port", "0", "--tls-port", str(port), "--tls-auth-clients", "no"]
    serve += ["--tls-cert-file", cert, "--tls-key-file", key, "--save", "", "--appendonly", "no"]
    serve += ["--requirepass", "pw"]
    server = subprocess.Popen(serve, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"rediss://:pw@127.0.0.1:{port}"
    try:
        _wait_until_it_answers(url + "?ssl_cert_reqs=none", server)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def _wait_until_it_answers(url, server):
    deadline = time.monotonic() + 10
    while True:
        try:
            if redis.Redis.from_url(url).ping():
                return
        except redis.ConnectionError:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.skip("this redis-server has no TLS support")
            time.sleep(0.1)


def test_heroku_redis_url_as_given_connects_the_celery_broker(heroku_redis, tmp_path):
    with pytest.raises(redis.ConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        redis.Redis.from_url(heroku_redis).ping()  # what a verifying client gets
    settings = load_settings(
        {"REDIS_URL": heroku_redis, "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor"},
        home=str(tmp_path),
        resources=Resources(),
    )
    app = make_celery_app(settings)
    with app.connection_for_write() as connection:
        queue = connection.SimpleQueue("brisa-paas-check")
        queue.put({"hello": "dyno"})
        message = queue.get(timeout=5)
        assert message.payload == {"hello": "dyno"}
        message.ack()
        queue.close()
