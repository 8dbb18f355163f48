"""Assets (3.x) and datasets (2.x): names, URI rules, expressions, outlets, @asset."""

from __future__ import annotations

import warnings
from datetime import datetime

import pytest

from brisa.sdk.asset_decorator import AssetDefinition, asset
from brisa.sdk.assets import (
    Asset,
    AssetAlias,
    AssetAll,
    AssetAny,
    Dataset,
    DatasetAlias,
    DatasetAll,
    DatasetAny,
    Metadata,
)
from brisa.sdk.context import collect_dags
from brisa.sdk.dag import DAG
from brisa.sdk.operators.empty import EmptyOperator
from brisa.sdk.serialize import serialize_dag

START = datetime(2024, 1, 1)


def test_an_asset_needs_a_name_or_a_uri_and_defaults_one_to_the_other():
    assert (Asset("n").name, Asset("n").uri) == ("n", "n")
    assert (Asset(uri="s3://b/k").name, Asset(uri="s3://b/k").uri) == ("s3://b/k", "s3://b/k")
    assert Asset("n").group == "asset"
    with pytest.raises(TypeError, match="either 'name' or 'uri'"):
        Asset()


@pytest.mark.parametrize("bad", ["", "   ", "x" * 1501])
def test_asset_identifiers_are_validated(bad):
    with pytest.raises(ValueError, match="Asset name"):
        Asset(bad)


@pytest.mark.parametrize("name", ["self", "context"])
def test_asset_names_self_and_context_are_prohibited(name):
    with pytest.raises(ValueError, match="prohibited name"):
        Asset(name)


def test_uris_are_normalized_as_airflow_does():
    assert Asset(uri="S3://bucket/key/?b=2&a=1#frag").uri == "s3://bucket/key?a=1&b=2"
    assert Asset(uri="x-custom://AnyThing/#f").uri == "x-custom://AnyThing/#f"
    assert Asset(uri="just a name").uri == "just a name"
    with pytest.warns(UserWarning, match="auth info"):
        assert Asset(uri="postgres://user:pw@host/db").uri == "postgres://host/db"


@pytest.mark.parametrize("cls", [Asset, Dataset])
def test_the_airflow_scheme_is_reserved(cls):
    with pytest.raises(ValueError, match="scheme 'airflow' is reserved"):
        cls(uri="airflow://x") if cls is Asset else cls("airflow://x")


def test_a_dataset_is_identified_by_its_uri_and_keeps_2x_rules():
    ds = Dataset("s3://bucket/x/", extra={"a": 1})
    assert (ds.uri, ds.name, ds.extra) == ("s3://bucket/x", "s3://bucket/x", {"a": 1})
    assert ds == Dataset("s3://bucket/x", extra={"a": 1})
    assert len({ds, Dataset("s3://bucket/x", extra={"a": 1})}) == 1
    assert ds.as_expression() == "s3://bucket/x"
    with pytest.raises(ValueError, match="ASCII"):
        Dataset("s3://bucket/ção")
    with pytest.raises(ValueError, match="3000"):
        Dataset("x" * 3001)
    Asset("ção")  # Airflow 3 takes non-ASCII names on PostgreSQL and SQLite


def test_operators_build_the_same_generation_expressions():
    a, b, c = Asset("a"), Asset("b"), Asset("c")
    assert type(a | b) is AssetAny and type(a & b) is AssetAll
    assert (a & b & c).as_condition() == {"all": [x.as_condition() for x in (a, b, c)]}
    d, e = Dataset("d"), Dataset("e")
    assert type(d | e) is DatasetAny and type(d & e) is DatasetAll
    assert ((d | e) & d).as_expression() == {"all": [{"any": ["d", "e"]}, "d"]}
    assert (a | AssetAlias("al")).as_expression() == {
        "any": [a.as_expression(), {"alias": {"name": "al", "group": "asset"}}]
    }
    assert DatasetAlias("al").as_expression() == {"alias": "al"}


def test_metadata_names_its_asset_and_alias():
    meta = Metadata(Asset("a"), {"k": 1}, alias=AssetAlias("al"))
    assert (meta.uri, meta.extra, meta.alias_name) == ("a", {"k": 1}, "al")
    assert Metadata("s3://x", {"k": 2}, alias="al2").asset == Dataset("s3://x")


def _serialized(dag, generation):
    return serialize_dag(dag, generation=generation)


def test_a_dag_scheduled_on_datasets_serializes_an_asset_timetable_and_outlets():
    ds = Dataset("s3://d/1")
    with DAG("consumer", schedule=[ds, Dataset("s3://d/2")], start_date=START) as consumer:
        EmptyOperator(task_id="t")
    with DAG("producer", schedule=None, start_date=START) as producer:
        EmptyOperator(task_id="p", outlets=[ds, AssetAlias("al")], inlets=[Dataset("s3://in")])
    s = _serialized(consumer, "2")
    assert s.schedule_summary == "Dataset"
    assert s.asset_condition == {
        "all": [Dataset("s3://d/1").as_condition(), Dataset("s3://d/2").as_condition()]
    }
    p = _serialized(producer, "2")
    assert p.asset_condition is None
    assert p.tasks["p"].outlets == (ds.as_condition(), {"alias": {"name": "al", "group": "asset"}})
    assert p.tasks["p"].inlets == (Dataset("s3://in").as_condition(),)
    # the JSON form round-trips and keeps older DAGs' form when a task has no outlets
    assert type(p).from_json(p.to_json()) == p
    assert "outlets" not in s.to_dict()["tasks"][0]


def test_an_asset_schedule_in_airflow_3_is_summarized_asset():
    with DAG("c3", schedule=Asset("a") | Asset("b")) as dag:
        EmptyOperator(task_id="t")
    assert _serialized(dag, "3").schedule_summary == "Asset"


def run_file(source):
    """Run ``source`` as a DAG file's top level (``@asset`` refuses nested functions)."""
    namespace = {"asset": asset, "Asset": Asset, "DAG": DAG, "EmptyOperator": EmptyOperator}
    with collect_dags() as dags:
        exec(compile(source, "<dag file>", "exec"), namespace)
    return namespace, dags


def test_at_asset_creates_a_one_task_dag_named_after_the_function():
    ns, dags = run_file(
        "@asset(schedule='@daily', uri='s3://bucket/a1')\n"
        "def asset1(self, context, upstream_asset):\n"
        "    return (self.name, upstream_asset.name)\n"
    )
    asset1 = ns["asset1"]
    assert isinstance(asset1, AssetDefinition)
    assert (asset1.name, asset1.uri) == ("asset1", "s3://bucket/a1")
    (dag,) = dags
    assert dag.dag_id == "asset1" and list(dag.task_dict) == ["asset1"]
    op = dag.task_dict["asset1"]
    assert op.outlets == [asset1]
    assert [i.name for i in op.inlets] == ["upstream_asset"]
    assert op.execute({"ti": None}) == ("asset1", "upstream_asset")
    assert serialize_dag(dag, generation="3").tasks["asset1"].outlets == (asset1.as_condition(),)


def test_asset_multi_emits_its_outlets_and_schedules_as_their_all():
    _, dags = run_file(
        "@asset.multi(schedule=None, outlets=[Asset('x'), Asset('y')])\n"
        "def both():\n"
        "    return None\n"
        "with DAG('downstream', schedule=both):\n"
        "    EmptyOperator(task_id='t')\n"
    )
    assert [d.dag_id for d in dags] == ["both", "downstream"]
    assert serialize_dag(dags[1], generation="3").asset_condition == {
        "all": [Asset("x").as_condition(), Asset("y").as_condition()]
    }


def test_at_asset_refuses_wildcards_and_nested_functions():
    with pytest.raises(TypeError, match="wildcard"):
        run_file("@asset(schedule=None)\ndef star(*args):\n    return None\n")
    with pytest.raises(ValueError, match="nested function"):

        @asset(schedule=None)
        def inner():
            return None


def test_no_warning_for_a_clean_uri():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Asset(uri="s3://b/k")


def test_an_asset_watcher_needs_an_event_trigger_and_serializes_it_with_the_asset():
    from brisa.sdk.assets import AssetWatcher
    from brisa.sdk.triggers.base import BaseEventTrigger, TriggerEvent
    from brisa.sdk.triggers.file import FileTrigger

    class Ticks(BaseEventTrigger):
        def serialize(self):
            return "mod.Ticks", {"every": 1}

        async def run(self):
            yield TriggerEvent(1)

    with pytest.raises(ValueError, match="Asset watcher trigger must inherit BaseEventTrigger"):
        AssetWatcher(name="w", trigger=FileTrigger("/tmp/x"))
    asset = Asset("a", watchers=[AssetWatcher("w", Ticks())])
    assert asset.as_condition() == {
        "asset": {
            "name": "a",
            "uri": "a",
            "group": "asset",
            "watchers": [{"name": "w", "classpath": "mod.Ticks", "kwargs": '{"every":1}'}],
        }
    }
    assert "watchers" not in Asset("b").as_condition()["asset"]
