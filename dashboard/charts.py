"""Plotly figures as plain dicts ({data, layout, config}).

Built without plotly.graph_objects (its validation is slow); the template passes the dict with
json_script and static/js/dashboard.js calls Plotly.newPlot, so no inline script is needed."""

from dashboard.selectors import IndicatorDetail, fmt_value, with_unit
from kpis.models import Indicator

COLORS = {
    "actual": "#0b4f8a",
    "yearly": "#9fb3c8",
    "interim": "#9a6700",
    "target": "#b3261e",
    "baseline": "#52606d",
}
CONFIG = {
    "displaylogo": False,
    # The toolbar puts buttons inside the role="img" chart (axe: nested-interactive) and labels them
    # in English; the numbers are in the table below every chart instead.
    "displayModeBar": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}
FONT = '"IPAexGothic", "Hiragino Kaku Gothic ProN", "Yu Gothic", "Meiryo", sans-serif'


def year_label(year: int) -> str:
    return f"{year}年度"


def _num(value):
    return None if value is None else float(value)


def indicator_figure(detail: IndicatorDetail) -> dict:
    """Actuals against the interim target path, the baseline and the target."""
    ind: Indicator = detail.indicator
    spec = detail.spec
    unit = ind.unit
    cumulative = ind.aggregation == Indicator.Aggregation.CUMULATIVE

    def shown(value):
        return with_unit(fmt_value(ind, value), unit)

    years = [p.fiscal_year for p in detail.points]
    start = None
    first_spec = detail.points[0].spec
    if first_spec.baseline is not None and not cumulative:
        start = (
            first_spec.baseline_year
            if first_spec.baseline_year is not None
            else first_spec.first_year - 1
        )
        if start >= years[0]:
            start = None
    categories = ([year_label(start)] if start is not None else []) + [year_label(y) for y in years]
    data = []

    if cumulative:
        yearly = [p for p in detail.points if p.yearly_value is not None]
        data.append(
            {
                "type": "bar",
                "name": "各年度の実績値",
                "x": [year_label(p.fiscal_year) for p in yearly],
                "y": [_num(p.yearly_value) for p in yearly],
                "marker": {"color": COLORS["yearly"]},
                "hovertext": [f"各年度の実績値 {shown(p.yearly_value)}" for p in yearly],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )

    # Interim targets and the target as judged each year (a revision may change them midway).
    first = detail.points[0].spec
    interim_x, interim_y = [], []
    if start is not None:
        interim_x.append(year_label(start))
        interim_y.append(_num(first.baseline))
    for p in detail.points:
        if p.interim is not None:
            interim_x.append(year_label(p.fiscal_year))
            interim_y.append(_num(p.interim))
    if interim_x:
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "中間目標（累計）" if cumulative else "中間目標",
                "x": interim_x,
                "y": interim_y,
                "line": {"color": COLORS["interim"], "dash": "dash", "width": 2},
                "marker": {"size": 6},
                "hovertext": [f"中間目標 {shown(v)}" for v in interim_y],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )

    targets = [p.spec.target for p in detail.points]
    revised = len(set(targets)) > 1
    target_x = ([year_label(start)] if start is not None else []) + [year_label(y) for y in years]
    target_y = ([_num(first.target)] if start is not None else []) + [_num(t) for t in targets]
    data.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": "目標値（年度ごとの適用値）"
            if revised
            else f"目標値 {shown(spec.target)}（{year_label(spec.target_year)}）",
            "x": target_x,
            "y": target_y,
            "line": {"color": COLORS["target"], "dash": "dot", "width": 2, "shape": "hv"},
            "hovertext": [f"目標値 {shown(v)}" for v in target_y],
            "hovertemplate": "%{hovertext}<extra></extra>",
        }
    )
    if first.baseline is not None:
        at = year_label(start) if start is not None else categories[0]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"基準値 {shown(first.baseline)}",
                "x": [at],
                "y": [_num(first.baseline)],
                "marker": {"color": COLORS["baseline"], "symbol": "diamond", "size": 11},
                "hovertext": [f"基準値 {shown(first.baseline)}"],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )

    # A running total is drawn for the years that have a figure of their own.
    points = [
        p
        for p in detail.points
        if p.value is not None and (not cumulative or p.yearly_value is not None)
    ]
    name = "累計実績値" if cumulative else "実績値"
    labels, hover = [], []
    for p in points:
        text = shown(p.value)
        note = f"（{p.data_year}年のデータ）" if p.data_year else ""
        labels.append(text + (f"<br>{p.data_year}年データ" if p.data_year else ""))
        status = f"・{p.status_label}" if p.status_label else ""
        hover.append(f"{name} {text}{note}{status}")
    data.append(
        {
            "type": "scatter",
            "mode": "lines+markers+text",
            "name": name,
            "x": [year_label(p.fiscal_year) for p in points],
            "y": [_num(p.value) for p in points],
            "text": labels,
            "textposition": "top center",
            "cliponaxis": False,
            "line": {"color": COLORS["actual"], "width": 3},
            # Unconfirmed values (staff only) are drawn as open circles.
            "marker": {
                "size": 9,
                "symbol": [
                    "circle" if p.status in (None, "confirmed") else "circle-open" for p in points
                ],
            },
            "hovertext": hover,
            "hovertemplate": "%{hovertext}<extra></extra>",
        }
    )

    layout = {
        "font": {"family": FONT, "size": 13},
        # l = 80: room for y tick labels up to six digits ("27,000") and the axis title, so the
        # y axis' automargin (kept for longer labels) does not widen it, which would make plotly
        # lay the chart out a second time during its first draw (≈ 35 ms cold in Chromium).
        "margin": {"l": 80, "r": 20, "t": 60, "b": 50},
        "height": 420,
        "hovermode": "x unified",
        "separators": ".,",
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "xaxis": {
            # Ticks show the bare year under the title 年度 and stay horizontal: 「2024年度」 was
            # rotated at 390 px, cut at the right edge and laid over the axis title. The points keep
            # 「2024年度」 as x, so the hover still names the fiscal year in full.
            "title": {"text": "年度", "standoff": 8},
            "type": "category",
            "categoryorder": "array",
            "categoryarray": categories,
            "tickmode": "array",
            "tickvals": categories,
            "ticktext": [label.removesuffix("年度") for label in categories],
            "tickangle": 0,
        },
        "yaxis": {
            "title": {"text": f"単位：{unit}" if unit else "実績値"},
            "tickformat": ",",
            "separatethousands": True,
            "automargin": True,
        },
        "barmode": "overlay",
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
    }
    return {"data": data, "layout": layout, "config": CONFIG}
