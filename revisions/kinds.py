"""Each kind of object of the strategy document, declared once: its model, its stable key, its
parents and what it owns. Everything that moves a strategy between shapes is generic over KINDS:

- revisions.snapshot.take_snapshot: live tables → snapshot (canonical JSON, docs/revisions.md)
- revisions.writer.Writer: snapshot-shaped state → live tables, the one writer used by loading the
  document (front.loading), publishing a revision and starting the next strategy
  (revisions.services), and by nothing else
- revisions.browser: snapshot → unsaved model instances for the strategy browser
- scripts/synthetic.py: copies of a strategy's rows for the benchmark

A kind's fields are its model's own columns (not the primary key, not the foreign keys), so a
column added to one of these models travels through every shape with no further code: the
migration adds it, the YAML may set it (front.loading passes keys named like a field through).
Numbers are canonical text in a snapshot ('27700', '2.44'), dates ISO text."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.db import models

from kpis.models import (
    BasicGoal,
    Department,
    Direction,
    Indicator,
    IndicatorTarget,
    Measure,
    Policy,
)
from projects.models import KeyProject, KeyProjectAction, Project, ProjectListing
from revisions.models import ListingLifecycle, ProjectLifecycle


def num(value) -> str | None:
    """A Decimal as canonical text: Decimal('27700.0000') → '27700', Decimal('2.4400') → '2.44'."""
    if value is None:
        return None
    value = Decimal(value)
    if value.is_zero():
        return "0"
    return format(value.normalize(), "f")


def dec(text) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))


def to_json(model_field, value):
    if isinstance(model_field, models.DecimalField):
        return num(value)
    if isinstance(model_field, models.DateField) and value is not None:
        return value.isoformat()
    return value


def from_json(model_field, value):
    if isinstance(model_field, models.DecimalField):
        return dec(value)
    if isinstance(model_field, models.DateField) and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def own_fields(model, exclude=()) -> tuple[str, ...]:
    """The model's own columns: not the primary key, not a foreign key."""
    return tuple(
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key and not f.is_relation and f.name not in exclude
    )


@dataclass(frozen=True)
class Ref:
    """A foreign key held in the snapshot as the stable key of the object it points at."""

    field: str  # the model's foreign key: "basic_goal"
    kind: str  # the kind it points at: "goal"
    item: str  # the snapshot's name for it: "goal"


@dataclass(frozen=True)
class Lookup:
    """A foreign key to reference data held in the snapshot by a unique name (担当課)."""

    field: str  # "department"
    model: type
    attr: str  # "name"


@dataclass(frozen=True)
class Texts:
    """Ordered lines an object owns (基本的な方向, 取組む施策): a list of strings in the snapshot."""

    item: str  # "directions"
    model: type  # Direction
    parent: str  # its foreign key to the owner: "basic_goal"
    related: str  # the owner's related name: "directions"


@dataclass(frozen=True)
class Rows:
    """Rows an object owns, keyed by the year they apply from (an indicator's 目標値（適用年度別）).
    In the snapshot: {"from": year, <the row model's own fields>, "revision": number}."""

    item: str  # "targets"
    model: type  # IndicatorTarget
    parent: str  # "indicator"
    year: str  # "effective_from_year", "from" in the snapshot

    @cached_property
    def fields(self) -> tuple[str, ...]:
        return own_fields(self.model, exclude=(self.year,))


@dataclass(frozen=True)
class Kind:
    name: str  # RevisionChange.kind
    collection: str  # the snapshot's list
    model: type
    key: object  # item → its stable key (refs are keys already)
    refs: tuple[Ref, ...] = ()  # parents; a kind without one belongs to the strategy directly
    in_strategy: str = "strategy"  # the lookup from the model to its strategy
    lookups: tuple[Lookup, ...] = ()
    texts: Texts | None = None
    rows: Rows | None = None
    lifecycle: type | None = None  # a one-to-one row of introduced_/retired_from_year
    derived: object = None  # (item, items by kind and key) → more snapshot fields
    keyed: bool = True  # the item carries "key" and "id" (key projects do not)
    exclude: tuple[str, ...] = field(default=())

    @cached_property
    def fields(self) -> tuple[str, ...]:
        return own_fields(self.model, self.exclude)

    def model_field(self, name):
        return self.model._meta.get_field(name)


LIFECYCLE_FIELDS = ("introduced_from_year", "retired_from_year")


def _measure_goal(item, items):
    policy = items["policy"].get(item["policy"])
    return {"goal": policy["goal"] if policy else None}


KINDS = [
    Kind(
        "goal",
        "goals",
        BasicGoal,
        key=lambda i: str(i["number"]),
        texts=Texts("directions", Direction, "basic_goal", "directions"),
    ),
    Kind(
        "policy",
        "policies",
        Policy,
        key=lambda i: f"{i['goal']}-{i['symbol']}",
        refs=(Ref("basic_goal", "goal", "goal"),),
        in_strategy="basic_goal__strategy",
    ),
    Kind(
        "measure",
        "measures",
        Measure,
        key=lambda i: f"{i['policy']}-{i['number']}",
        refs=(Ref("policy", "policy", "policy"),),
        in_strategy="policy__basic_goal__strategy",
        derived=_measure_goal,
    ),
    Kind(
        "indicator",
        "indicators",
        Indicator,
        key=lambda i: i["code"],
        refs=(Ref("basic_goal", "goal", "goal"), Ref("measure", "measure", "measure")),
        in_strategy="basic_goal__strategy",
        lookups=(Lookup("department", Department, "name"),),
        rows=Rows("targets", IndicatorTarget, "indicator", "effective_from_year"),
    ),
    Kind("project", "projects", Project, key=lambda i: i["name"], lifecycle=ProjectLifecycle),
    Kind(
        "listing",
        "listings",
        ProjectListing,
        key=lambda i: f"{i['project']}@{i['measure']}",
        refs=(Ref("project", "project", "project"), Ref("measure", "measure", "measure")),
        in_strategy="project__strategy",
        lifecycle=ListingLifecycle,
    ),
    Kind(
        "key_project",
        "key_projects",
        KeyProject,
        key=lambda i: i["code"],
        texts=Texts("actions", KeyProjectAction, "key_project", "actions"),
        keyed=False,
    ),
]
BY_NAME = {k.name: k for k in KINDS}


def item_key(kind: Kind, item: dict) -> str:
    return item["key"] if kind.keyed else kind.key(item)


def queryset(kind: Kind, strategy):
    """The kind's rows of one strategy, with what item_of reads beside them."""
    qs = kind.model.objects.filter(**{kind.in_strategy: strategy})
    related = [lookup.field for lookup in kind.lookups]
    if kind.lifecycle:
        related.append("lifecycle")
    if related:
        qs = qs.select_related(*related)
    if kind.texts:
        qs = qs.prefetch_related(kind.texts.related)
    if kind.rows:
        rows = kind.rows.model.objects.select_related("revision").order_by(kind.rows.year)
        qs = qs.prefetch_related(models.Prefetch(kind.rows.item, queryset=rows))
    return qs.order_by("pk")


def _lifecycle_of(obj):
    try:
        return obj.lifecycle
    except obj.__class__.lifecycle.RelatedObjectDoesNotExist:
        return None


def item_of(kind: Kind, obj, keys: dict, items: dict) -> dict:
    """One object as a snapshot item. keys[kind name][pk] → key of the objects already read,
    items[kind name][key] → their items (for derived fields)."""
    item = {"id": obj.pk} if kind.keyed else {}
    for ref in kind.refs:
        item[ref.item] = keys[ref.kind].get(getattr(obj, f"{ref.field}_id"))
    for name in kind.fields:
        item[name] = to_json(kind.model_field(name), getattr(obj, name))
    for lookup in kind.lookups:
        other = getattr(obj, lookup.field) if getattr(obj, f"{lookup.field}_id") else None
        item[lookup.field] = getattr(other, lookup.attr) if other else None
    if kind.texts:
        lines = sorted(getattr(obj, kind.texts.related).all(), key=lambda t: t.order)
        item[kind.texts.item] = [t.text for t in lines]
    if kind.rows:
        item[kind.rows.item] = [row_of(kind.rows, r) for r in getattr(obj, kind.rows.item).all()]
    if kind.lifecycle:
        life = _lifecycle_of(obj)
        for name in LIFECYCLE_FIELDS:
            item[name] = getattr(life, name) if life else None
    if kind.derived:
        item.update(kind.derived(item, items))
    if kind.keyed:
        item["key"] = kind.key(item)
    return item


def row_of(rows: Rows, row) -> dict:
    out = {"from": getattr(row, rows.year)}
    for name in rows.fields:
        out[name] = to_json(rows.model._meta.get_field(name), getattr(row, name))
    out["revision"] = row.revision.number if row.revision_id else None
    return out


def values_of(kind: Kind, item: dict) -> dict:
    """The model's own field values an item holds (only those it holds)."""
    return {
        name: from_json(kind.model_field(name), item[name]) for name in kind.fields if name in item
    }


def instance(kind: Kind, item: dict, pk=None):
    """An unsaved model instance with the item's own fields (no foreign keys)."""
    return kind.model(pk=pk, **values_of(kind, item))


def blank_item(kind: Kind) -> dict:
    """Every own field at the value a new row gets (its default, else None or '')."""
    out = {}
    for name in kind.fields:
        f = kind.model_field(name)
        if f.has_default():
            out[name] = to_json(f, f.get_default())
        elif f.null:
            out[name] = None
        elif isinstance(f, models.CharField | models.TextField):
            out[name] = ""
        else:
            out[name] = None
    return out
