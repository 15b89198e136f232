"""YAML → database → snapshot → next strategy → snapshot keeps every field of every kind that
revisions.kinds declares: the loader, take_snapshot, the writer and the copier are generic over the
declaration, so a field added to one of these models is carried with no code of its own."""

import copy
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.db import models

from front.loading import DEFAULT_DIRECTORY
from kpis.models import Department, Indicator
from revisions import services
from revisions.browser import indicator_from_snapshot, tree_from_snapshot
from revisions.kinds import BY_NAME, KINDS, LIFECYCLE_FIELDS, from_json, item_key
from revisions.snapshot import canonical, take_snapshot, without_ids
from revisions.state import TARGET_FIELDS

pytestmark = pytest.mark.django_db

# The transcription's own names for fields of the indicator (front/loading.py maps them).
YAML_NAMES = {"target": "target_value", "baseline": "baseline_value", "change": "change_value"}


def _next(strategy, dave):
    return services.start_next_strategy(
        source=strategy,
        user=dave,
        code="nemuro-3",
        name="第３期根室市創生総合戦略",
        first_fiscal_year=2025,
        last_fiscal_year=2029,
    ).strategy


def _by_key(snapshot, kind):
    return {item_key(kind, item): item for item in snapshot[kind.collection]}


def _same(model_field, a, b):
    if isinstance(model_field, models.DecimalField):
        return from_json(model_field, a) == from_json(model_field, b)
    return a == b


def test_every_yaml_value_of_an_indicator_is_in_the_snapshot(strategy):
    snapshot = _by_key(take_snapshot(strategy), BY_NAME["indicator"])
    kind = BY_NAME["indicator"]
    doc = yaml.safe_load((Path(DEFAULT_DIRECTORY) / "indicators.yaml").read_text("utf-8"))
    checked = set()
    for entry in doc["indicators"]:
        item = snapshot[entry["code"]]
        for key, value in entry.items():
            name = YAML_NAMES.get(key, key)
            if name not in kind.fields:
                continue
            if name == "reading_note":
                value = (value or "").strip()
            if name == "unit":
                value = value or ""
            assert _same(kind.model_field(name), item[name], value), (entry["code"], name)
            checked.add(name)
    assert {"target_value", "baseline_value", "change_value", "source_line"} <= checked


def test_every_declared_field_is_in_the_snapshot_as_the_database_holds_it(strategy):
    snapshot = take_snapshot(strategy)
    for kind in KINDS:
        items = snapshot[kind.collection]
        assert items, kind.name
        objects = {o.pk: o for o in kind.model.objects.filter(**{kind.in_strategy: strategy})}
        for item in items:
            assert set(kind.fields) <= set(item), kind.name
            if kind.keyed:
                obj = objects[item["id"]]
                for name in kind.fields:
                    value = getattr(obj, name)
                    assert from_json(kind.model_field(name), item[name]) == value, (kind.name, name)


def _distinctive(model_field, n):
    """A value no fixture has, of the field's type."""
    if isinstance(model_field, models.BooleanField):
        return True
    if isinstance(model_field, models.DecimalField):
        return Decimal("4321.5") + n
    if isinstance(model_field, models.IntegerField):
        return 2026 + n % 3  # a year inside both periods, or a small number
    if isinstance(model_field, models.DateField):
        return None
    return f"往復{n}"[: model_field.max_length or 100]


# Fields the next strategy works out instead of copying (services.carried_over), and the keys.
WORKED_OUT = {
    "indicator": {"target_fiscal_year", *LIFECYCLE_FIELDS, "code"},
    "goal": {"number"},
    "policy": {"symbol", "order"},
    "measure": {"number"},
    "project": {"name"},
    "listing": {"order"},
    "key_project": {"code", "number"},
}


# Left as loaded so that they agree with the indicator's target row (compared all the same).
KEPT_AS_LOADED = set(TARGET_FIELDS)


def test_a_next_strategy_keeps_every_field_of_every_kind(strategy, dave):
    # One object of each kind gets a value no fixture has in every field it declares.
    for n, kind in enumerate(KINDS):
        obj = kind.model.objects.filter(**{kind.in_strategy: strategy}).order_by("pk").first()
        values = {
            name: _distinctive(kind.model_field(name), n)
            for name in kind.fields
            if name not in WORKED_OUT[kind.name] | KEPT_AS_LOADED
            and not kind.model_field(name).choices
        }
        kind.model.objects.filter(pk=obj.pk).update(**values)
    Indicator.objects.filter(basic_goal__strategy=strategy).update(
        department=Department.objects.create(name="往復課")
    )
    before = take_snapshot(strategy)
    after = take_snapshot(_next(strategy, dave))

    # The writer wrote exactly the state the copier handed it …
    source = before["strategy"]
    expected = services.carried_over(copy.deepcopy(before), _Period(**source), _Period.next())
    for item in expected["indicators"]:
        del item["source_target_fiscal_year"]
    expected = without_ids(canonical(expected))
    got = without_ids(after)
    for kind in KINDS:
        assert got[kind.collection] == expected[kind.collection], kind.name
    # … and the copier changed only what it works out: every other field is the source's.
    for kind in KINDS:
        old, new = _by_key(before, kind), _by_key(after, kind)
        assert old.keys() == new.keys(), kind.name
        for key, item in new.items():
            for name in set(kind.fields) - WORKED_OUT[kind.name]:
                assert item[name] == old[key][name], (kind.name, key, name)
    assert {i["department"] for i in after["indicators"]} == {"往復課"}


def test_the_browser_builds_every_declared_field(strategy):
    snapshot = take_snapshot(strategy)
    goals, key_projects = tree_from_snapshot(snapshot)
    item = snapshot["indicators"][0]
    ind = indicator_from_snapshot(item)
    for name in BY_NAME["indicator"].fields:
        assert getattr(ind, name) == from_json(BY_NAME["indicator"].model_field(name), item[name])
    assert [g.title for g in goals] == [g["title"] for g in snapshot["goals"]]
    assert [k.subtitle for k in key_projects] == [k["subtitle"] for k in snapshot["key_projects"]]


class _Period:
    """What carried_over reads of a strategy."""

    def __init__(self, code, first_fiscal_year, last_fiscal_year, **_):
        self.code = code
        self.first_fiscal_year, self.last_fiscal_year = first_fiscal_year, last_fiscal_year

    @classmethod
    def next(cls):
        return cls("nemuro-3", 2025, 2029)
