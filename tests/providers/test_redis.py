"""The real redis provider: RedisKeySensor and RedisPublishOperator against the local Redis."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from tests.providers.running import Project

pytestmark = [pytest.mark.redis, pytest.mark.slow]

REDIS_URL = "redis://127.0.0.1:6379/0"

DAG = """
from datetime import datetime

from airflow.providers.redis.hooks.redis import RedisHook
from airflow.providers.redis.operators.redis_publish import RedisPublishOperator
from airflow.providers.redis.sensors.redis_key import RedisKeySensor
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def set_key():
    RedisHook(redis_conn_id="local_redis").get_conn().set("{key}", "ready")


with DAG("provider_redis", start_date=datetime(2024, 1, 1), schedule=None):
    (
        PythonOperator(task_id="set_key", python_callable=set_key)
        >> RedisKeySensor(
            task_id="wait", key="{key}", redis_conn_id="local_redis", poke_interval=1, timeout=120
        )
        >> RedisPublishOperator(
            task_id="publish",
            channel="{channel}",
            message="done {{{{ dag.dag_id }}}}",
            redis_conn_id="local_redis",
        )
    )
"""


@pytest.fixture
def names():
    key, channel = f"brisa-test-{uuid.uuid4().hex}", f"brisa-test-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(REDIS_URL)
    subscriber = client.pubsub()
    subscriber.subscribe(channel)
    subscriber.get_message(timeout=5)  # the subscription's confirmation
    yield key, channel, subscriber
    subscriber.close()
    client.delete(key)
    client.close()


def _published(subscriber) -> list[bytes]:
    received, deadline = [], time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        message = subscriber.get_message(timeout=1)
        if message and message["type"] == "message":
            received.append(message["data"])
    return received


def _project(providers, tmp_path, key, channel) -> Project:
    dag = DAG.format(key=key, channel=channel)
    return Project.create(providers, tmp_path, {"provider_redis.py": dag}, AIRFLOW_CONN_LOCAL_REDIS=REDIS_URL)


def test_dags_test_waits_for_the_key_and_publishes(providers, tmp_path, names):
    key, channel, subscriber = names
    done = _project(providers, tmp_path, key, channel).dags_test("provider_redis")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _published(subscriber) == [b"done provider_redis"]


def test_the_scheduler_runs_the_redis_dag(providers, tmp_path, names):
    key, channel, subscriber = names
    states = _project(providers, tmp_path, key, channel).scheduled_run("provider_redis")
    assert states == {"set_key": "success", "wait": "success", "publish": "success"}
    assert _published(subscriber) == [b"done provider_redis"]
