"""The at-a-glance indicator table (django-tables2); its Excel download is dashboard/export.py."""

import django_tables2 as tables
from django.urls import reverse

NUM = {"th": {"class": "num"}, "td": {"class": "num"}}


def col(name):
    return {"th": {"class": f"col-{name}"}, "td": {"class": f"col-{name}"}}


class IndicatorTable(tables.Table):
    """Rows are dashboard.selectors.DashboardRow; ordering happens in Python on the sort keys.

    django-tables2 gives the header, the sort links and the ordering; the body rows are written
    by templates/dashboard/_table.html from body_rows() below instead of its per-cell machinery,
    which cost half of the overview's time (docs/benchmarks.md: per cell an inspect.signature,
    the <td> attributes built again, a render_to_string for value/progress/grade).
    """

    goal = tables.Column("基本目標", accessor="goal_key", empty_values=(), attrs=col("goal"))
    policy = tables.Column("施策", accessor="policy_key", empty_values=(), attrs=col("policy"))
    measure = tables.Column("施策①", accessor="measure_key", empty_values=(), attrs=col("measure"))
    name = tables.Column("指標", accessor="indicator__name", empty_values=(), attrs=col("name"))
    unit = tables.Column("単位", accessor="indicator__unit", empty_values=())
    baseline = tables.Column("基準値", accessor="baseline_key", empty_values=(), attrs=NUM)
    target = tables.Column("目標値", accessor="target", empty_values=(), attrs=NUM)
    value = tables.Column("今年度の実績", accessor="value_key", empty_values=(), attrs=NUM)
    progress = tables.Column("進捗率", accessor="progress_key", empty_values=(), attrs=NUM)
    grade = tables.Column("評価", accessor="grade_key", empty_values=())

    class Meta:  # written by templates/dashboard/_table.html (included, not {% render_table %})
        order_by_field = "sort"
        empty_text = "条件に合う指標はありません。"

    def __init__(self, data, *, strategy, fiscal_year, show_status, **kwargs):
        self.strategy, self.fiscal_year, self.show_status = strategy, fiscal_year, show_status
        super().__init__(data, **kwargs)
        # 「今年度」 read as the current fiscal year while the page shows the year chosen above it.
        # (the bound column holds this table's own copy of the column; the class keeps its label.)
        self.columns["value"].column.verbose_name = f"{fiscal_year}年度の実績"

    def shown(self):
        """{column name: True} of the columns left in (the drill-down pages exclude the goal /
        policy / measure columns)."""
        return {column.name: True for column in self.columns}

    def body_rows(self):
        """What each <tr> shows, in the order django-tables2 sorted the rows: texts (already
        formatted by kpis.evaluation / kpis.numfmt) and links, as plain dicts (the template reads
        a dict key faster than an attribute)."""
        links = _Links(self.strategy.code, self.fiscal_year)
        return [
            _row_cells(row.record, links, self.show_status, "odd" if i % 2 else "even")
            for i, row in enumerate(self.rows)
        ]


class _Links:
    """The drill-down links of the rows, each reversed once per page and object."""

    def __init__(self, strategy_code, year):
        self.code, self.query, self.seen = strategy_code, f"?year={year}", {}

    def __call__(self, kind, key):
        url = self.seen.get((kind, key))
        if url is None:
            url = reverse(f"dashboard_{kind}", args=[self.code, key]) + self.query
            self.seen[(kind, key)] = url
        return url


def _row_cells(row, links, show_status, parity):
    ind, policy, measure, note = row.indicator, row.policy, row.measure, row.data_year_note
    has_progress = row.result.progress_rate is not None
    return {
        "pk": str(ind.pk),  # a str: the template would localize an int (number_format per row)
        "code": ind.code,
        "parity": parity,
        "grade": row.grade.label,
        "grade_css": row.grade.css,
        "grade_text": row.grade.text,
        "goal": row.goal.label,
        "goal_url": links("goal", row.goal.number),
        "policy": f"{policy.label}{policy.title}" if policy else None,
        "policy_url": links("policy", policy.pk) if policy else None,
        "measure": f"{measure.label} {measure.title}" if measure else None,
        "measure_url": links("measure", measure.pk) if measure else None,
        "name": ind.name,
        "url": links("indicator", ind.pk),
        "unit": ind.unit or "−",
        "baseline": row.baseline_text,
        "target": row.target_text,
        "value": row.value_text,
        "data_year": note,
        "status": row.status if show_status else None,
        "status_label": row.status_label,
        "progress": row.progress_text if has_progress else None,
        # an indicator without a baseline is judged by 達成率 (issue 10): the column says 進捗率
        "progress_is_achievement": has_progress and row.year.judged_by_achievement,
        "progress_pct": row.progress_pct if has_progress else None,
    }
