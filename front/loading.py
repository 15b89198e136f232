"""Load a strategy's YAML fixtures (fixtures/<code>/) into the database.

The YAML is read as a snapshot-shaped state (revisions.kinds) and written by revisions.writer, the
same writer that publishes revisions and starts the next strategy. Idempotent: rows are matched
by their stable keys and saved only when a field differs, so a second run writes nothing (and
adds no audit-trail rows). The whole load is one transaction. (Population figures are not part
of a revision's snapshot and are loaded here directly.)

The loaded document is the strategy's 第1版「策定」 (revisions app): its IndicatorTarget rows link
to that revision and the revision keeps a snapshot of it. Once a later revision (第2版…) has been
published, the strategy's content belongs to the revisions: the goals, policies, measures,
indicators and projects are then left as they are (report.notes says so), so reloading the
fixtures never undoes a published revision."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from kpis.achievement import DEFAULT_SCALE
from kpis.fiscal import fiscal_year_label
from kpis.models import EvaluationSettings, FiscalYear, GradeBand, Strategy
from population.models import (
    DeclineSuppression,
    PopulationFigure,
    PopulationPoint,
    PopulationTarget,
)
from revisions import services as revision_services
from revisions.kinds import BY_NAME, num
from revisions.snapshot import goal_key, listing_key, measure_key, policy_key
from revisions.state import TARGET_FIELDS
from revisions.writer import Writer

DEFAULT_DIRECTORY = Path(settings.BASE_DIR) / "fixtures" / "nemuro2"
FISCAL_YEARS = range(2010, 2071)


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    notes: list = field(default_factory=list)  # what was deliberately left alone, in Japanese

    @property
    def changed(self):
        return sum(self.created.values()) + sum(self.updated.values())


def _dec(value):
    return None if value is None else Decimal(str(value))


def _decimals(text) -> int:
    """How many decimals the document prints: '2.00' → 2, '27700' → 0."""
    text = str(text)
    return len(text.split(".")[1]) if "." in text else 0


def _upsert(report, model, lookup, values):
    """get-or-create by `lookup`, then save only the fields that differ."""
    obj = model.objects.filter(**lookup).first()
    name = model._meta.verbose_name
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.created[name] += 1
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=changed)
        report.updated[name] += 1
    return obj


def _read(directory, name):
    with open(Path(directory) / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


@transaction.atomic
def load_strategy(*, directory: Path = DEFAULT_DIRECTORY) -> LoadReport:
    report = LoadReport()
    for year in FISCAL_YEARS:
        _upsert(report, FiscalYear, {"year": year}, {"label": fiscal_year_label(year)})

    doc = _read(directory, "strategy.yaml")
    s = doc["strategy"]
    values = {
        "name": s["name"],
        "municipality": s["municipality"],
        "first_fiscal_year": s["first_fiscal_year"],
        "last_fiscal_year": s["last_fiscal_year"],
        "adopted_on": s.get("adopted_on"),
        "source_line": s.get("source_line", ""),
    }
    existing = Strategy.objects.filter(code=s["code"]).first()
    if existing and revision_services.has_later_revisions(existing):
        values.pop(
            "last_fiscal_year"
        )  # a revision may have changed the plan period (計画期間の変更)
    strategy = _upsert(report, Strategy, {"code": s["code"]}, values)
    _ensure_evaluation_defaults(report, strategy)
    first_revision, created = revision_services.initial_revision(strategy)
    if created:
        report.created[first_revision._meta.verbose_name] += 1
    revised = revision_services.has_later_revisions(strategy)
    state = {"key_projects": _key_projects(_read(directory, "key_projects.yaml"))}
    if revised:
        report.notes.append(
            "第2版以降の改訂が公開されているため、基本目標・施策・指標（基準値・目標値）・事業は"
            "原文のデータで上書きしませんでした。変更は改訂で行ってください。"
        )
    else:
        state |= _tree(doc["basic_goals"])
        state["indicators"] = _indicators(strategy, _read(directory, "indicators.yaml"))
        state |= _projects(_read(directory, "projects.yaml"))
    # The document is 第1版: the one writer of revisions.writer puts it into the live tables.
    Writer(strategy, revision=first_revision, stamp=False, count=report).write(state)
    _load_population(report, strategy, _read(directory, "population.yaml"))
    if not revised and revision_services.refresh_initial_snapshot(first_revision):
        if not created:
            report.updated[first_revision._meta.verbose_name] += 1
    return report


def _ensure_evaluation_defaults(report, strategy):
    """The default grade scale and settings; created once, then left to the administrator."""
    if not GradeBand.objects.filter(strategy=strategy).exists():
        for order, band in enumerate(DEFAULT_SCALE.bands, start=1):
            GradeBand.objects.create(
                strategy=strategy,
                order=order,
                label=band.label,
                symbol=band.symbol,
                description=band.description,
                rule=band.rule,
                threshold=band.threshold,
            )
            report.created[GradeBand._meta.verbose_name] += 1
    _, created = EvaluationSettings.objects.get_or_create(strategy=strategy)
    if created:
        report.created[EvaluationSettings._meta.verbose_name] += 1


# -- the YAML read as a snapshot-shaped state (revisions.kinds) ------------------------------
# Keys of a YAML item named like a field of its model pass through as they are; the others are
# the transcription's own names (target → target_value …), mapped here.


def _passed_through(kind_name, entry, mapped):
    kind = BY_NAME[kind_name]
    return {k: v for k, v in entry.items() if k in kind.fields and k not in mapped}


def _tree(basic_goals):
    goals, policies, measures = [], [], []
    for g in basic_goals:
        goal = {"number": g["number"], "title": g["title"], "package": g["package"]}
        goals.append({"key": goal_key(g["number"]), **goal, "directions": list(g["directions"])})
        for p_order, p in enumerate(g["policies"], start=1):
            policy = policy_key(g["number"], p["symbol"])
            policies.append(
                {
                    "key": policy,
                    "goal": goal_key(g["number"]),
                    "symbol": p["symbol"],
                    "order": p_order,
                    "title": p["title"],
                }
            )
            for m in p["measures"]:
                measures.append(
                    {
                        "key": measure_key(g["number"], p["symbol"], m["number"]),
                        "policy": policy,
                        "number": m["number"],
                        "title": m["title"],
                        "description": m.get("description", ""),
                    }
                )
    return {"goals": goals, "policies": policies, "measures": measures}


def _indicators(strategy, doc):
    """Indicators, each with its first IndicatorTarget row (in force from the first fiscal year,
    decided by 第1版); a later revision adds rows instead of overwriting this one."""
    orders = Counter()
    out = []
    for item in doc["indicators"]:
        orders[(item["goal"], item.get("measure"))] += 1
        values = {
            "level": item["level"],
            "order": orders[(item["goal"], item.get("measure"))],
            "code": item["code"],
            "name": item["name"],
            "unit": item["unit"] or "",
            "baseline_value": num(_dec(item.get("baseline"))),
            "baseline_fiscal_year": item.get("baseline_fiscal_year"),
            "baseline_kind": item["baseline_kind"],
            "target_value": num(_dec(item["target"])),
            "target_fiscal_year": item.get("target_fiscal_year", strategy.last_fiscal_year),
            "change_value": num(_dec(item.get("change"))),
            "change_unit": item.get("change_unit") or "",
            "direction": item["direction"],
            "aggregation": item["aggregation"],
            "decimals": _decimals(item["target"]),
            "source_line": item["source_line"],
            "reading_note": (item.get("reading_note") or "").strip(),
            "lineage_key": f"{strategy.code}:{item['code']}",
        }
        row = {f: values[f] for f in TARGET_FIELDS}
        out.append(
            {
                "key": item["code"],
                "goal": goal_key(item["goal"]),
                "measure": item.get("measure"),
                **_passed_through("indicator", item, values),
                **values,
                "targets": [{"from": strategy.first_fiscal_year, **row, "revision": 1}],
            }
        )
    return out


def _projects(doc):
    projects, listings = [], []
    for listing in doc["listings"]:
        for order, row in enumerate(listing["rows"], start=1):
            if not row.get("relisted"):
                # The original listing defines the project; a relisting only links it again.
                projects.append(
                    {
                        "key": row["name"],
                        "name": row["name"],
                        "description": row["description"],
                        "is_priority": bool(row.get("priority")),
                        "fy2021": row.get("fy2021") or "",
                        "is_private": bool(row.get("private")),
                        "partners": "、".join(row.get("partners") or []),
                        "is_hokkaido": bool(row.get("hokkaido")),
                    }
                )
            listings.append(
                {
                    "key": listing_key(row["name"], listing["measure"]),
                    "project": row["name"],
                    "measure": listing["measure"],
                    "order": order,
                    "is_relisted": bool(row.get("relisted")),
                    "description": row["description"],
                    "source_text": row["source_text"],
                }
            )
    return {"projects": projects, "listings": listings}


def _key_projects(doc):
    return [
        {
            "code": kp["code"],
            "number": kp["number"],
            "name": kp["name"],
            "label": kp["label"],
            "subtitle": kp["subtitle"],
            "description": kp["description"],
            "actions": list(kp["actions"]),
        }
        for kp in doc["key_projects"]
    ]


def _load_population(report, strategy, doc):
    for f in doc["figures"]:
        _upsert(
            report,
            PopulationFigure,
            {
                "strategy": strategy,
                "source": f["source"],
                "year": f["year"],
                "category": f["category"],
            },
            {
                "value": _dec(f["value"]),
                "is_implied": bool(f.get("implied")),
                "source_line": f.get("source_line") or "",
            },
        )
    for t in doc["targets"]:
        _upsert(
            report,
            PopulationTarget,
            {"strategy": strategy, "term": t["term"]},
            {
                "year": t["year"],
                "total": int(t["total"]),
                "suppressed_decline": int(t["suppressed_decline"]),
                "source_line": t["source_line"],
            },
        )
    for p in doc["points"]:
        _upsert(
            report,
            PopulationPoint,
            {"strategy": strategy, "number": p["number"]},
            {
                "title": p["title"],
                "category": p["category"],
                "current_year": p["current_year"],
                "current_value": _dec(p["current_value"]),
                "target_year": p["target_year"],
                "target_value": _dec(p["target_value"]),
                "comparison_value": _dec(p.get("ipss_value")),
                "suppressed_decline": int(p["suppressed_decline"])
                if p.get("suppressed_decline")
                else None,
                "annual_suppression": int(p["annual_suppression"])
                if p.get("annual_suppression")
                else None,
                "future_text": p["future_text"],
                "description": p["description"],
                "source_line": "\n".join(p.get("source_lines") or []),
            },
        )
    ds = doc.get("decline_suppression")
    if ds:
        _upsert(
            report,
            DeclineSuppression,
            {"strategy": strategy},
            {
                "natural": int(ds["natural"]),
                "social": int(ds["social"]),
                "total": int(ds["total"]),
                "source_line": ds["source_line"],
            },
        )
