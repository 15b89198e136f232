"""Load a strategy's YAML fixtures (fixtures/<code>/) into the database.

Idempotent: rows are matched by natural keys and saved only when a field differs, so a second run
writes nothing (and adds no audit-trail rows). The whole load is one transaction.

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
from kpis.models import (
    BasicGoal,
    Direction,
    EvaluationSettings,
    FiscalYear,
    GradeBand,
    Indicator,
    IndicatorTarget,
    Measure,
    Policy,
    Strategy,
)
from population.models import (
    DeclineSuppression,
    PopulationFigure,
    PopulationPoint,
    PopulationTarget,
)
from projects.models import KeyProject, KeyProjectAction, Project, ProjectListing
from revisions import services as revision_services

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
    strategy = _upsert(
        report,
        Strategy,
        {"code": s["code"]},
        {
            "name": s["name"],
            "municipality": s["municipality"],
            "first_fiscal_year": s["first_fiscal_year"],
            "last_fiscal_year": s["last_fiscal_year"],
            "adopted_on": s.get("adopted_on"),
            "source_line": s.get("source_line", ""),
        },
    )
    _ensure_evaluation_defaults(report, strategy)
    first_revision, created = revision_services.initial_revision(strategy)
    if created:
        report.created[first_revision._meta.verbose_name] += 1
    revised = revision_services.has_later_revisions(strategy)
    if revised:
        report.notes.append(
            "第2版以降の改訂が公開されているため、基本目標・施策・指標（基準値・目標値）・事業は"
            "原文のデータで上書きしませんでした。変更は改訂で行ってください。"
        )
    else:
        goals, measures = _load_tree(report, strategy, doc["basic_goals"])
        indicators = _read(directory, "indicators.yaml")
        _load_indicators(report, strategy, goals, measures, indicators, first_revision)
        _load_projects(report, strategy, measures, _read(directory, "projects.yaml"))
    _load_key_projects(report, strategy, _read(directory, "key_projects.yaml"))
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


def _load_tree(report, strategy, basic_goals):
    goals, measures = {}, {}
    for g in basic_goals:
        goal = _upsert(
            report,
            BasicGoal,
            {"strategy": strategy, "number": g["number"]},
            {"title": g["title"], "package": g["package"]},
        )
        goals[g["number"]] = goal
        for order, text in enumerate(g["directions"], start=1):
            _upsert(report, Direction, {"basic_goal": goal, "order": order}, {"text": text})
        for p_order, p in enumerate(g["policies"], start=1):
            policy = _upsert(
                report,
                Policy,
                {"basic_goal": goal, "symbol": p["symbol"]},
                {"order": p_order, "title": p["title"]},
            )
            for m in p["measures"]:
                measure = _upsert(
                    report,
                    Measure,
                    {"policy": policy, "number": m["number"]},
                    {"title": m["title"], "description": m.get("description", "")},
                )
                measures[f"{g['number']}-{p['symbol']}-{m['number']}"] = measure
    return goals, measures


def _load_indicators(report, strategy, goals, measures, doc, first_revision):
    """Indicators, each with its first IndicatorTarget row (in force from the first fiscal year,
    decided by 第1版); a later revision adds rows instead of overwriting this one."""
    orders = Counter()
    for item in doc["indicators"]:
        goal = goals[item["goal"]]
        measure = measures[item["measure"]] if item.get("measure") else None
        orders[(item["goal"], item.get("measure"))] += 1
        indicator = _upsert(
            report,
            Indicator,
            {"basic_goal": goal, "code": item["code"]},
            {
                "measure": measure,
                "level": item["level"],
                "order": orders[(item["goal"], item.get("measure"))],
                "name": item["name"],
                "unit": item["unit"] or "",
                "baseline_value": _dec(item.get("baseline")),
                "baseline_fiscal_year": item.get("baseline_fiscal_year"),
                "baseline_kind": item["baseline_kind"],
                "target_value": _dec(item["target"]),
                "target_fiscal_year": item.get("target_fiscal_year", strategy.last_fiscal_year),
                "change_value": _dec(item.get("change")),
                "change_unit": item.get("change_unit") or "",
                "direction": item["direction"],
                "aggregation": item["aggregation"],
                "decimals": _decimals(item["target"]),
                "allow_negative": bool(item.get("allow_negative", False)),
                "source_line": item["source_line"],
                "reading_note": (item.get("reading_note") or "").strip(),
            },
        )
        if not indicator.lineage_key:
            indicator.lineage_key = f"{strategy.code}:{indicator.code}"
            indicator.save(update_fields=["lineage_key"])
        _upsert(
            report,
            IndicatorTarget,
            {"indicator": indicator, "effective_from_year": strategy.first_fiscal_year},
            {
                "baseline_value": indicator.baseline_value,
                "baseline_kind": indicator.baseline_kind,
                "target_value": indicator.target_value,
                "target_fiscal_year": indicator.target_fiscal_year,
                "revision_id": first_revision.pk,
            },
        )


def _load_projects(report, strategy, measures, doc):
    for listing in doc["listings"]:
        measure = measures[listing["measure"]]
        for order, row in enumerate(listing["rows"], start=1):
            values = {
                "description": row["description"],
                "is_priority": bool(row.get("priority")),
                "fy2021": row.get("fy2021") or "",
                "is_private": bool(row.get("private")),
                "partners": "、".join(row.get("partners") or []),
                "is_hokkaido": bool(row.get("hokkaido")),
            }
            if row.get("relisted"):
                # The original listing defines the project; a relisting only links it again.
                project = Project.objects.get(strategy=strategy, name=row["name"])
            else:
                project = _upsert(
                    report, Project, {"strategy": strategy, "name": row["name"]}, values
                )
            _upsert(
                report,
                ProjectListing,
                {"project": project, "measure": measure},
                {
                    "order": order,
                    "is_relisted": bool(row.get("relisted")),
                    "description": row["description"],
                    "source_text": row["source_text"],
                },
            )


def _load_key_projects(report, strategy, doc):
    for kp in doc["key_projects"]:
        key_project = _upsert(
            report,
            KeyProject,
            {"strategy": strategy, "code": kp["code"]},
            {
                "number": kp["number"],
                "name": kp["name"],
                "label": kp["label"],
                "subtitle": kp["subtitle"],
                "description": kp["description"],
            },
        )
        for order, text in enumerate(kp["actions"], start=1):
            _upsert(
                report,
                KeyProjectAction,
                {"key_project": key_project, "order": order},
                {"text": text},
            )


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
