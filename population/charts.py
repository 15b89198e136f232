"""Plotly figures of the population page, as plain dicts (drawn by static/js/population_charts.js),
each with the same numbers as a table for screen readers and for print."""

from dataclasses import dataclass, field
from decimal import Decimal

from kpis.templatetags.kpi_format import format_number
from population.models import AGE_GROUPS, Category, Source
from population.selectors import linear_path, series, share_of, table_of

FONT = "IPAexGothic, Hiragino Kaku Gothic ProN, Yu Gothic, Meiryo, sans-serif"
COLOURS = {
    "actual": "#0b4f8a",
    "ipss": "#9aa5b1",
    "city": "#c0392b",
    "constant": "#9a6700",
    Category.YOUNG: "#2a6eb5",
    Category.WORKING: "#1b7f3b",
    Category.ELDERLY: "#9a6700",
}


@dataclass
class Chart:
    id: str
    title: str
    figure: dict
    headers: list
    rows: list  # [[cell text, …]]: the first cell is the row header
    notes: list = field(default_factory=list)


def _n(value):
    """A JSON number for plotly (json_script would write a Decimal as a string)."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _text(value, decimals=None, unit=""):
    text = format_number(value, decimals)
    return text if text == "−" or not unit else f"{text}{unit}"


def _layout(y_title, **extra):
    """The figure's title is the <figcaption>; the legend sits under the plot."""
    layout = {
        "font": {"family": FONT, "size": 13},
        "separators": ".,",
        "margin": {"l": 70, "r": 20, "t": 20, "b": 40},
        "legend": {"orientation": "h", "x": 0, "y": -0.12, "yanchor": "top"},
        "xaxis": {"automargin": True},
        "yaxis": {
            "title": {"text": y_title},
            "tickformat": ",",
            "rangemode": "tozero",
            "automargin": True,
        },
        "hovermode": "closest",
    }
    layout.update(extra)
    return layout


def _line(name, points, colour, dash="solid", mode="lines+markers", unit="人"):
    return {
        "type": "scatter",
        "mode": mode,
        "name": name,
        "x": [year for year, _ in points],
        "y": [_n(v) for _, v in points],
        "line": {"color": colour, "dash": dash},
        "marker": {"color": colour, "size": 8},
        "hovertemplate": f"%{{x}}年 %{{y:,}}{unit}<extra>{name}</extra>",
    }


def total_chart(figures, targets) -> Chart:
    """総人口: IPSS projection, the city's target path (2025, 2035, 2060) and actual figures."""
    table = table_of(figures)
    implied = {(f.source, f.year) for f in figures if f.is_implied and f.category == Category.TOTAL}
    actual = series(table, Source.ACTUAL, Category.TOTAL)
    base = actual[:1]
    ipss = series(table, Source.IPSS, Category.TOTAL)
    city = dict(series(table, Source.CITY_TARGET, Category.TOTAL))
    city.update({t.year: Decimal(t.total) for t in targets})
    city_path = sorted(city.items())
    constant = series(table, Source.CONSTANT_FERTILITY, Category.TOTAL)

    def from_base(points):
        return base + points if base and points and base[0][0] < points[0][0] else points

    data = [
        _line("社人研推計（対策を行わない場合）", from_base(ipss), COLOURS["ipss"], "dot"),
        _line("根室市の目標人口", from_base(city_path), COLOURS["city"], "dash"),
        _line("実績", actual, COLOURS["actual"]),
    ]
    if constant:
        data.append(
            _line("出生率1.53で推移した場合", constant, COLOURS["constant"], mode="markers")
        )
    columns = [("実績", actual), ("社人研推計", ipss), ("根室市の目標", city_path)]
    if constant:
        columns.append(("出生率1.53で推移した場合", constant))
    years = sorted({y for _, points in columns for y, _ in points})
    lookup = [(name, dict(points)) for name, points in columns]
    sources = {"社人研推計": Source.IPSS}
    rows = []
    for year in years:
        row = [f"{year}年"]
        for name, values in lookup:
            cell = _text(values.get(year), 0, "人")
            if (sources.get(name), year) in implied:
                cell += "※"
            row.append(cell)
        rows.append(row)
    return Chart(
        id="chart-total",
        title="総人口の推移（実績・社人研推計・根室市の目標）",
        figure={"data": data, "layout": _layout("人口（人）")},
        headers=["年"] + [name for name, _ in columns],
        rows=rows,
        notes=["※ 原文に記載がなく、目標人口と減少抑制数から算出した値です。"] if implied else [],
    )


def _age_columns(table):
    """(label, values) for each actual year with age groups, then the IPSS and city projections."""
    columns = []
    for source in (Source.ACTUAL, Source.IPSS, Source.CITY_TARGET):
        name = "実績" if source == Source.ACTUAL else Source(source).label
        for (src, year), values in sorted(table.items()):
            if src == source and any(c in values for c in AGE_GROUPS):
                columns.append((f"{year}年 {name}", values))
    return columns


def _tick(label):
    """'2060年 根室市推計（目標）' → lines under a bar, short enough to stay level at 390 px
    (one long line was rotated there, cut off and laid over the legend)."""
    return label.replace(" ", "<br>", 1).replace("（", "<br>（", 1)


def age_charts(figures) -> list[Chart]:
    """年齢３区分: counts (stacked) and shares (to 100 %), 2015 vs IPSS 2060 vs city 2060 and
    actuals by year."""
    table = table_of(figures)
    columns = _age_columns(table)
    labels = [_tick(label) for label, _ in columns]
    counts, shares = [], []
    for group in AGE_GROUPS:
        name = Category(group).label
        group_shares = [_n(share_of(values, group)) for _, values in columns]
        counts.append(
            {
                "type": "bar",
                "name": name,
                "x": labels,
                "y": [_n(values.get(group)) for _, values in columns],
                "customdata": group_shares,
                "marker": {"color": COLOURS[group]},
                "hovertemplate": f"%{{x}}<br>{name} %{{y:,}}人（%{{customdata}}%）<extra></extra>",
            }
        )
        shares.append(
            {
                "type": "bar",
                "name": name,
                "x": labels,
                "y": group_shares,
                "marker": {"color": COLOURS[group]},
                "hovertemplate": f"%{{x}}<br>{name} %{{y}}%<extra></extra>",
            }
        )
    rows = []
    for label, values in columns:
        row = [label]
        for group in AGE_GROUPS:
            row.append(
                f"{_text(values.get(group), 0, '人')}（{_text(share_of(values, group), 1, '%')}）"
            )
        row.append(_text(values.get(Category.TOTAL), 0, "人"))
        rows.append(row)
    headers = ["区分"] + [Category(g).label for g in AGE_GROUPS] + ["総人口"]
    # Above the bars: below them it sat at a fixed fraction of the plot's height and so over the
    # three-line category labels on a phone.
    legend = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "traceorder": "normal"}
    count_layout = _layout("人口（人）", barmode="stack", legend=legend)
    share_layout = _layout("割合", barmode="stack", legend=legend)
    for layout in (count_layout, share_layout):
        layout["xaxis"] = {"automargin": True, "tickangle": 0}
    share_layout["yaxis"] = {
        "title": {"text": "割合"},
        "range": [0, 100],
        "ticksuffix": "%",
        "automargin": True,
    }
    notes = ["割合は原文の値。原文にない年は年齢３区分の人数と総人口から算出しています。"]
    return [
        Chart(
            "chart-age",
            "年齢３区分別の人口",
            {"data": counts, "layout": count_layout},
            headers,
            rows,
            notes,
        ),
        Chart(
            "chart-age-share",
            "年齢３区分別の人口割合",
            {"data": shares, "layout": share_layout},
            headers,
            rows,
            notes,
        ),
    ]


def point_charts(figures, points) -> list[Chart]:
    """The three points (women aged 20–39, working-age population, TFR) against their targets."""
    table = table_of(figures)
    charts = []
    for p in points:
        is_rate = p.category == Category.TFR
        unit = "" if is_rate else "人"
        decimals = 2 if is_rate else 0
        actual = series(table, Source.ACTUAL, p.category)
        anchors = [(p.current_year, p.current_value), (p.target_year, p.target_value)]
        ipss = [] if is_rate else series(table, Source.IPSS, p.category)
        data = [
            _line("目標（現状から目標年まで直線）", anchors, COLOURS["city"], "dash", unit=unit),
            _line("実績", actual, COLOURS["actual"], unit=unit),
        ]
        if ipss:
            data.insert(0, _line("社人研推計", ipss, COLOURS["ipss"], "dot", unit=unit))
        layout = _layout("人数（人）" if unit else "合計特殊出生率")
        if is_rate:
            layout["yaxis"].update({"tickformat": ".2f", "rangemode": "normal"})
        years = sorted({y for y, _ in actual} | {y for y, _ in anchors} | {y for y, _ in ipss})
        actual_by_year, ipss_by_year = dict(actual), dict(ipss)
        rows = [
            [
                f"{year}年",
                _text(actual_by_year.get(year), decimals, unit),
                _text(
                    linear_path(anchors, year) if year <= p.target_year else None, decimals, unit
                ),
            ]
            + ([_text(ipss_by_year.get(year), decimals, unit)] if not is_rate else [])
            for year in years
        ]
        charts.append(
            Chart(
                id=f"chart-point-{p.number}",
                title=f"（{p.number}）{p.title}",
                figure={"data": data, "layout": layout},
                headers=["年", "実績", "目標（直線）"] + ([] if is_rate else ["社人研推計"]),
                rows=rows,
                notes=[
                    f"目標：{p.target_year}年 {_text(p.target_value, decimals, unit)}"
                    f"（現状 {p.current_year}年 {_text(p.current_value, decimals, unit)}）。"
                    "目標（直線）は現状から目標年までを直線で結んだ値です。"
                ],
            )
        )
    return charts
