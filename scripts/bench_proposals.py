"""The fixes proposed in docs/benchmarks.md for the targets `make bench` misses, as monkeypatches,
so that `scripts/bench.py --proposed` measures "after" beside "before" without touching the
application's files (they belong to the engineers finishing those features). Benchmark only: never
imported by the application.

1. Dashboard table (kpis/dashboard/tables.py, templates/dashboard/_table.html): the rows are
   built in Python with format_html, the links reversed once per page, instead of django-tables2's
   per-cell machinery (inspect.signature per cell, column attrs per cell, a render_to_string per
   value / progress / grade cell). Same HTML (checked by docs/benchmarks.md's procedure); the
   header and the ordering stay django-tables2's.
2. Excel import commit (kpis/excel/importer.py): one bulk write instead of services.save_actual per
   row — the rows are already validated and locked (plan(lock=True) does SELECT … FOR UPDATE), so
   the per-row conditional UPDATE, lock check and savepoint add nothing but ~6 queries a row:
   bulk_create_with_history / bulk_update_with_history and one bulk_create of WorkflowEvents.
3. Merged cells (kpis/excel/reader.py _merged_ranges): find <mergeCell ref="…"> with a regular
   expression over the sheet's XML instead of parsing all of it a second time.
4. Reading the data rows (kpis/excel/reader.py _read): iter_rows(values_only=True) instead of
   cell objects. A formula reads as its text ("=A1*2") in a workbook opened with data_only=False,
   which extract_inputs already refuses, so RawCell.is_formula can come from the value.

    .venv/bin/python scripts/bench.py --reuse --proposed
"""

import re
import zipfile
from io import BytesIO

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

MERGE_CELL = re.compile(
    rb"""<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*(?:"([^"]*)"|'([^']*)')"""
)

SHELL = """{% extends "dashboard/_table.html" %}
{% block table.tbody %}<tbody>
{{ body }}
</tbody>{% endblock table.tbody %}
"""


def _link(name, strategy_code, year):
    """'…/goals/{}/?year=2022': reverse() once per page and kind, not once per cell."""
    url = reverse(name, args=[strategy_code, 987654321])
    return url.replace("987654321", "{}") + f"?year={year}"


def _row_html(table, row, show, links, parity):
    """One <tr> exactly as django-tables2 renders IndicatorTable (tables.py render_* methods)."""
    ind = row.indicator
    cells = []
    if show.get("goal"):
        cells.append(
            format_html(
                '<td class="col-goal"><a href="{}">{}</a></td>',
                links["goal"].format(row.goal.number),
                row.goal.label,
            )
        )
    if show.get("policy"):
        p = row.policy
        cells.append(
            format_html(
                '<td class="col-policy"><a href="{}">{}{}</a></td>',
                links["policy"].format(p.pk),
                p.label,
                p.title,
            )
            if p
            else mark_safe('<td class="col-policy"><span class="muted">数値目標</span></td>')
        )
    if show.get("measure"):
        m = row.measure
        cells.append(
            format_html(
                '<td class="col-measure"><a href="{}">{} {}</a></td>',
                links["measure"].format(m.pk),
                m.label,
                m.title,
            )
            if m
            else mark_safe('<td class="col-measure">−</td>')
        )
    cells.append(
        format_html(
            '<td class="col-name"><a href="{}">{}</a><br><span class="muted code">{}</span></td>'
            '<td>{}</td><td class="num">{}</td><td class="num">{}</td>',
            links["indicator"].format(ind.pk),
            ind.name,
            ind.code,
            ind.unit or "−",
            row.baseline_text,
            row.target_text,
        )
    )
    note = row.data_year_note
    cells.append(
        format_html(
            '<td class="num">{}{}{}</td>',
            row.value_text,
            format_html('<br><span class="muted data-year">（{}）</span>', note) if note else "",
            format_html(
                '<br><span class="status status-{}">{}</span>', row.status, row.status_label
            )
            if table.show_status and row.status
            else "",
        )
    )
    if row.result.progress_rate is None:
        cells.append(mark_safe('<td class="num"><span class="muted">−</span></td>'))
    else:
        cells.append(
            format_html(
                '<td class="num"><span class="progress"><span class="progress-text">{}</span>'
                '<progress max="100" value="{}" aria-hidden="true">{}</progress></span></td>',
                row.progress_text,
                row.progress_pct,
                row.progress_text,
            )
        )
    cells.append(
        format_html(
            '<td><span class="grade grade-{}" data-grade="{}">{}</span></td>',
            row.grade.css,
            row.grade.label,
            row.grade.text,
        )
    )
    return format_html(
        '<tr id="row-{}" data-code="{}" data-grade="{}" class="{}">{}</tr>',
        ind.pk,
        ind.code,
        row.grade.label,
        parity,
        mark_safe("".join(cells)),
    )


def _merged_ranges(data, path):
    if not path:
        return []
    with zipfile.ZipFile(BytesIO(data)) as zf:
        xml = zf.read(path.lstrip("/"))
    return [(m.group(1) or m.group(2)).decode() for m in MERGE_CELL.finditer(xml)]


def _read(wb, data):
    """kpis.excel.reader._read with the data rows read as values (proposal 4)."""
    from kpis.excel import layout
    from kpis.excel.reader import MAX_COLUMNS, RawCell, RawRow, Sheet, _blank

    meta = None
    if layout.META_SHEET in wb.sheetnames:
        meta = {}
        ws = wb[layout.META_SHEET]
        ws.reset_dimensions()
        for i, row in enumerate(ws.iter_rows(min_row=1, max_col=2, values_only=True)):
            if i >= 50:
                break
            if row and isinstance(row[0], str):
                meta[row[0]] = row[1]
    if layout.DATA_SHEET not in wb.sheetnames:
        return Sheet(meta=meta, headers=[])
    ws = wb[layout.DATA_SHEET]
    ws.reset_dimensions()
    headers = list(
        next(
            ws.iter_rows(
                min_row=layout.HEADER_ROW,
                max_row=layout.HEADER_ROW,
                max_col=MAX_COLUMNS,
                values_only=True,
            ),
            (),
        )
    )
    while headers and headers[-1] is None:
        headers.pop()
    sheet = Sheet(
        meta=meta,
        headers=[h.strip() if isinstance(h, str) else h for h in headers],
        merged=_merged_ranges(data, getattr(ws, "_worksheet_path", None)),
    )
    width = max(len(headers), 1)
    limit = layout.FIRST_DATA_ROW + layout.MAX_DATA_ROWS
    named = [(i, h) for i, h in enumerate(sheet.headers) if isinstance(h, str)]
    for number, values in enumerate(
        ws.iter_rows(min_row=layout.FIRST_DATA_ROW, max_col=width, values_only=True),
        start=layout.FIRST_DATA_ROW,
    ):
        raw = {
            h: RawCell(v, isinstance(v, str) and v.startswith("="))
            for h, v in ((h, values[i] if i < len(values) else None) for i, h in named)
        }
        if all(_blank(c.value) for c in raw.values()):
            continue
        if number >= limit:
            sheet.too_many_rows = True
            break
        sheet.rows.append(RawRow(number, raw))
    return sheet


def _bulk_commit(*, strategy, department, fiscal_year, user, inputs, filename=""):
    from django.db import IntegrityError, transaction
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    from kpis import services
    from kpis.excel import importer
    from kpis.models import Actual, WorkflowEvent

    with transaction.atomic():
        if services.is_locked(strategy, fiscal_year):
            raise importer.ImportRejected(
                [importer._file_issue(importer.locked_message(fiscal_year))]
            )
        checked = importer.plan(
            strategy=strategy,
            department=department,
            fiscal_year=fiscal_year,
            user=user,
            inputs=inputs,
            lock=True,  # the actuals are locked: nobody changes their versions until we commit
        )
        if checked.issues:
            raise importer.ImportRejected(checked.issues)
        reason = f"Excel取込（{filename[:100]}）" if filename else "Excel取込"
        now = timezone.now()
        new, changed = [], []
        for row in checked.changes:
            a = row.current or Actual(indicator=row.indicator, fiscal_year=fiscal_year, version=0)
            services._apply(a, row.values)
            a.version += 1
            a.updated_by, a.updated_at = user, now
            if a.status != Actual.Status.CONFIRMED:
                a.status = Actual.Status.DRAFT
            (changed if row.current else new).append(a)
        try:
            with transaction.atomic():  # a concurrent first save of one of them: nothing at all
                bulk_create_with_history(
                    new,
                    Actual,
                    batch_size=1000,
                    default_user=user,
                    default_change_reason=reason,
                    default_date=now,
                )
        except IntegrityError:
            raise importer.ImportRejected(
                [
                    importer._file_issue(
                        "取込の途中で、同じ指標の実績値が別の画面から入力されました。"
                        "もう一度アップロードしてください。"
                    )
                ]
            ) from None
        if changed:
            bulk_update_with_history(
                changed,
                Actual,
                fields=[
                    "value",
                    "not_measurable",
                    "not_measurable_reason",
                    "data_year",
                    "data_source",
                    "note",
                    "outlier_confirmed",
                    "status",
                    "version",
                    "updated_by",
                    "updated_at",
                ],
                batch_size=1000,
                default_user=user,
                default_change_reason=reason,
                default_date=now,
            )
        WorkflowEvent.objects.bulk_create(
            [
                WorkflowEvent(
                    strategy=strategy,
                    fiscal_year=fiscal_year,
                    actual=a,
                    action=WorkflowEvent.Action.IMPORT,
                    actor=user,
                    reason=reason,
                )
                for a in new + changed
            ],
            batch_size=1000,
        )
        return len(new) + len(changed)


def apply():
    """Patch the running process (after django.setup())."""
    from django.template import engines
    from django_tables2.templatetags import django_tables2 as tags

    from kpis.dashboard.tables import IndicatorTable
    from kpis.excel import importer, reader

    shell = engines["django"].from_string(SHELL)
    original = tags.RenderTableNode.render

    def render(self, context):
        table = self.table.resolve(context)
        if not isinstance(table, IndicatorTable):
            return original(self, context)
        code, year = table.strategy.code, table.fiscal_year
        links = {
            kind: _link(f"dashboard_{kind}", code, year)
            for kind in ("goal", "policy", "measure", "indicator")
        }
        # The drill-down pages exclude goal / policy / measure; the other columns are always there.
        show = {c.name: True for c in table.columns}
        rows = [
            _row_html(table, bound.record, show, links, "even" if i % 2 == 0 else "odd")
            for i, bound in enumerate(table.rows)  # in the order django-tables2 sorted them
        ]
        values = context.flatten()
        values["table"] = table
        values["body"] = (
            mark_safe("\n".join(rows))
            if rows
            else format_html(
                '<tr><td colspan="{}">{}</td></tr>', len(table.columns), table.empty_text
            )
        )
        return shell.render(values, context.get("request"))

    tags.RenderTableNode.render = render
    reader._merged_ranges = _merged_ranges
    reader._read = _read
    importer.commit = _bulk_commit


def wsgi():
    """gunicorn 'bench_proposals:wsgi()' (with scripts/ on the path): the patched application."""
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    apply()
    return app
