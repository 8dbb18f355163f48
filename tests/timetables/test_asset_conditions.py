"""Evaluating asset conditions over the set of updated assets (pure)."""

from __future__ import annotations

from brisa.sdk.assets import Asset, AssetAlias
from brisa.timetables.asset_conditions import alias_names, asset_keys, evaluate

A, B, C = Asset("a"), Asset("b"), Asset("c")


def keys(*assets):
    return {x.key for x in assets}


def test_all_needs_every_asset_and_any_one():
    cond = ((A & B) | C).as_condition()
    assert not evaluate(cond, keys(A))
    assert evaluate(cond, keys(A, B))
    assert evaluate(cond, keys(C))
    assert not evaluate(cond, set())


def test_an_alias_is_met_by_any_asset_it_resolved_to():
    cond = (A & AssetAlias("al")).as_condition()
    assert not evaluate(cond, keys(A, B), {"al": set()})
    assert evaluate(cond, keys(A, B), {"al": keys(B)})


def test_a_reference_matches_by_name_or_uri():
    assert evaluate(Asset.ref(name="a").as_condition(), keys(A))
    assert evaluate(Asset.ref(uri="b").as_condition(), keys(B))
    assert not evaluate(Asset.ref(name="x").as_condition(), keys(A))


def test_the_assets_and_aliases_a_condition_names():
    cond = (A & AssetAlias("al")).as_condition()
    assert asset_keys(cond) == keys(A) and alias_names(cond) == {"al"}
