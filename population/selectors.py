from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from population.models import AGE_GROUPS, Category, PopulationFigure, Source

SHARE_OF = {
    Category.ELDERLY: Category.SHARE_ELDERLY,
    Category.WORKING: Category.SHARE_WORKING,
    Category.YOUNG: Category.SHARE_YOUNG,
}


def figure_table(strategy):
    """{(source, year): {category: value}} of every population figure of a strategy."""
    table = defaultdict(dict)
    for f in PopulationFigure.objects.filter(strategy=strategy):
        table[(f.source, f.year)][f.category] = f.value
    return table


def comparison_rows(
    table, base=(Source.ACTUAL, 2015), ipss=(Source.IPSS, 2060), city=(Source.CITY_TARGET, 2060)
):
    """The 人口推計比較表: total and the three age groups (as the document orders them), with the
    count and share for 2015, the IPSS 2060 projection and the city's 2060 target, and the
    city − IPSS difference."""
    rows = []
    for category in [Category.TOTAL, Category.ELDERLY, Category.WORKING, Category.YOUNG]:
        share = SHARE_OF.get(category)
        cells = [
            {
                "value": table.get(k, {}).get(category),
                "share": table.get(k, {}).get(share) if share else None,
            }
            for k in (base, ipss, city)
        ]
        ipss_v, city_v = cells[1]["value"], cells[2]["value"]
        ipss_s, city_s = cells[1]["share"], cells[2]["share"]
        rows.append(
            {
                "label": Category(category).label,
                "cells": cells,
                "diff": city_v - ipss_v if ipss_v is not None and city_v is not None else None,
                "share_diff": city_s - ipss_s
                if ipss_s is not None and city_s is not None
                else None,
                "is_total": category == Category.TOTAL,
            }
        )
    return rows


def load_figures(strategy):
    """Every population figure of a strategy (one query), for the functions below."""
    return list(PopulationFigure.objects.filter(strategy=strategy).order_by("year"))


def table_of(figures):
    """figure_table() from figures already read."""
    table = defaultdict(dict)
    for f in figures:
        table[(f.source, f.year)][f.category] = f.value
    return table


def series(table, source, category):
    """[(year, value)] of one source and category, by year."""
    return sorted(
        (year, values[category])
        for (src, year), values in table.items()
        if src == source and category in values
    )


def share(count, total):
    """A share in percent to one decimal, as the document prints it."""
    if count is None or not total:
        return None
    return (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def share_of(values, category):
    """The printed share of an age group, else computed from the counts."""
    stored = values.get(SHARE_OF[category])
    return stored if stored is not None else share(values.get(category), values.get(Category.TOTAL))


def actual_rows(figures):
    """One row per year with actual figures: counts, shares (printed or computed), women, TFR,
    and where the figures come from."""
    by_year = defaultdict(dict)
    sources = defaultdict(set)
    for f in figures:
        if f.source != Source.ACTUAL:
            continue
        by_year[f.year][f.category] = f.value
        sources[f.year].add(f.data_source or ("総合戦略（原文）" if f.source_line else ""))
    rows = []
    for year in sorted(by_year):
        values = by_year[year]
        rows.append(
            {
                "year": year,
                "values": values,
                "total": values.get(Category.TOTAL),
                "groups": [
                    {
                        "category": c,
                        "label": Category(c).label,
                        "value": values.get(c),
                        "share": share_of(values, c),
                    }
                    for c in AGE_GROUPS
                ],
                "women_20_39": values.get(Category.WOMEN_20_39),
                "tfr": values.get(Category.TFR),
                "data_source": "・".join(sorted(s for s in sources[year] if s)) or "−",
            }
        )
    return rows


def linear_path(anchors, year):
    """The value on the straight lines through `anchors` [(year, value)] at `year`: None before
    the first anchor, the last value after the last one."""
    anchors = sorted(anchors)
    if not anchors or year < anchors[0][0]:
        return None
    for (y0, v0), (y1, v1) in zip(anchors, anchors[1:], strict=False):
        if y0 <= year <= y1:
            return Decimal(v0) + (Decimal(v1) - Decimal(v0)) * (year - y0) / (y1 - y0)
    return Decimal(anchors[-1][1])


def population_status(figures, targets, points):
    """現状と目標: for the total and the three points, the latest actual figure against the target
    path (straight lines from the current figure through the targets) at that year, and the
    targets themselves. Higher is better for all four."""
    table = table_of(figures)
    data_sources = {
        (f.year, f.category): f.data_source for f in figures if f.source == Source.ACTUAL
    }
    rows = []
    base_total = series(table, Source.ACTUAL, Category.TOTAL)
    total_anchors = ([base_total[0]] if base_total else []) + [(t.year, t.total) for t in targets]
    specs = [
        (
            Category.TOTAL,
            "人",
            total_anchors,
            [(t.year, Decimal(t.total), f"{t.get_term_display()}目標") for t in targets],
        )
    ]
    for p in points:
        specs.append(
            (
                p.category,
                "" if p.category == Category.TFR else "人",
                [(p.current_year, p.current_value), (p.target_year, p.target_value)],
                [(p.target_year, p.target_value, f"ポイント（{p.number}）の目標")],
            )
        )
    for category, unit, anchors, goal_list in specs:
        actuals = series(table, Source.ACTUAL, category)
        latest = actuals[-1] if actuals else None
        # At the base year itself there is nothing to compare yet.
        started = latest and anchors and latest[0] > min(anchors)[0]
        path = linear_path(anchors, latest[0]) if started else None
        ipss = dict(series(table, Source.IPSS, category))
        rows.append(
            {
                "category": category,
                "label": Category(category).label,
                "unit": unit,
                "decimals": 2 if category == Category.TFR else 0,
                "latest_year": latest[0] if latest else None,
                "latest_value": latest[1] if latest else None,
                "latest_source": data_sources.get((latest[0], category), "") if latest else "",
                "path_value": path,
                "gap": latest[1] - path if latest and path is not None else None,
                "on_track": None if path is None else latest[1] >= path,
                "targets": [
                    {"year": y, "value": v, "label": label, "ipss": ipss.get(y)}
                    for y, v, label in goal_list
                ],
            }
        )
    return rows
