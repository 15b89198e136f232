from collections import defaultdict

from population.models import Category, PopulationFigure, Source

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
