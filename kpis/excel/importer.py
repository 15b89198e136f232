"""From the cells of an uploaded template to saved actuals: check, plan (dry run), commit.

extract_inputs() turns the sheet into plain JSON-able rows (what is kept between the preview and
the commit); plan() validates every row against the database with kpis.entry.rules.validate_entry,
exactly like the entry form; commit() plans again inside one transaction and saves every changed
row at once with services.save_actuals_in_bulk, or nothing at all."""

from dataclasses import dataclass, field

from django.db import transaction

from kpis import services
from kpis.access import Access
from kpis.entry.rules import EntryValues, validate_entry
from kpis.evaluation import settings_for
from kpis.excel import layout
from kpis.excel.neutralise import unneutralise
from kpis.excel.reader import CellError, Sheet, cell_text, merged_in_rows, year_value
from kpis.models import Actual, Indicator
from kpis.templatetags.kpi_format import format_number

INPUT_FIELDS = {
    "value": layout.VALUE,
    "reason": layout.REASON,
    "data_year": layout.DATA_YEAR,
    "source": layout.SOURCE,
    "note": layout.NOTE,
    "confirm": layout.CONFIRM,
}
FILE = "ファイル"  # the "column" of problems that concern the whole file


@dataclass(frozen=True)
class Issue:
    row: int | None  # Excel row number, None for the whole file
    column: str
    message: str


class ImportRejected(Exception):
    def __init__(self, issues):
        super().__init__(issues[0].message if issues else "")
        self.issues = issues


# --- the file as a whole -------------------------------------------------------------------------


def check_template(sheet: Sheet, *, strategy, fiscal_year, department) -> list[Issue]:
    """Is this our template, for this strategy, year and department? Stop at the first problem."""
    meta = sheet.meta
    if not meta or meta.get("kind") != layout.TEMPLATE_KIND:
        return [
            _file_issue(
                "入力用シートではありません。この画面からダウンロードした入力用シートを使ってください。"
            )
        ]
    if _int(meta.get("version")) not in layout.READABLE_VERSIONS:
        return [
            _file_issue(
                "古い版の入力用シートです。この画面から入力用シートをダウンロードし直してください。"
            )
        ]
    if meta.get("strategy") != strategy.code:
        return [_file_issue(f"別の総合戦略の入力用シートです（{meta.get('strategy')}）。")]
    year = _int(meta.get("fiscal_year"))
    # Last year's file (or an earlier one of the same strategy) may be reused for this year: its
    # rows are keyed by indicator and its input columns are the same. A later year's file is not.
    if year is None or year > fiscal_year or year not in strategy.fiscal_years:
        return [
            _file_issue(
                f"{year}年度の入力用シートです。{fiscal_year}年度の入力用シートをアップロードしてください。"
            )
        ]
    if _int(meta.get("department_id")) != department.pk:
        other = meta.get("department") or "別の担当課"
        return [
            _file_issue(
                f"{other}の入力用シートです。{department.name}の入力用シートをアップロードしてください。"
            )
        ]
    required = [*layout.FIXED_HEADERS, *layout.INPUT_HEADERS]
    missing = [h for h in required if h not in sheet.headers]
    odd = layout.unexpected_headers(sheet.headers, strategy.first_fiscal_year, fiscal_year)
    if missing or odd:
        detail = f"（見つからない列：{'、'.join(missing)}）" if missing else ""
        detail += f"（不明な列：{'、'.join(str(h) for h in odd)}）" if odd else ""
        return [
            Issue(
                layout.HEADER_ROW,
                FILE,
                f"見出し行が入力用シートと一致しません{detail}。列の追加・削除・名前の変更をせずに入力してください。",
            )
        ]
    return []


def file_year(sheet: Sheet) -> int | None:
    """The fiscal year the uploaded template was downloaded for (it may be last year's)."""
    return _int((sheet.meta or {}).get("fiscal_year"))


def extract_inputs(sheet: Sheet) -> tuple[list[dict], list[Issue]]:
    """Rows as {"row", "key", "value", "reason", …} strings; formulas, merged cells and cells of
    the wrong kind (dates, TRUE/FALSE) are issues."""
    issues = []
    for ref, row, col in merged_in_rows(sheet.merged, layout.HEADER_ROW):
        column = sheet.headers[col - 1] if 0 < col <= len(sheet.headers) else ref
        issues.append(
            Issue(
                row,
                str(column),
                f"セルが結合されています（{ref}）。結合を解除してください。",
            )
        )
    if sheet.too_many_rows:
        issues.append(_file_issue(f"データの行が多すぎます（{layout.MAX_DATA_ROWS:,}行まで）。"))
    rows = []
    for raw in sheet.rows:
        out = {"row": raw.number}
        for name, header in {"key": layout.KEY, **INPUT_FIELDS}.items():
            cell = raw.cells.get(header)
            value = cell.value if cell else None
            if cell and (cell.is_formula or (isinstance(value, str) and value.startswith("="))):
                issues.append(
                    Issue(raw.number, header, "数式は使えません。値を直接入力してください。")
                )
                out[name] = ""
                continue
            try:
                out[name] = unneutralise(cell_text(value))
            except CellError as e:
                issues.append(Issue(raw.number, header, e.message))
                out[name] = ""
        rows.append(out)
    return rows, issues


# --- every row against the database ------------------------------------------------------------


@dataclass
class PlannedRow:
    row: int
    key: str
    indicator: Indicator | None = None
    current: Actual | None = None
    values: EntryValues | None = None
    outcome: str = "error"  # create / update / unchanged / blank / error
    issues: list = field(default_factory=list)

    OUTCOMES = {
        "create": "新規",
        "update": "更新",
        "unchanged": "変更なし",
        "blank": "未入力（取り込みません）",
        "error": "エラー",
    }

    @property
    def outcome_label(self):
        return self.OUTCOMES[self.outcome]

    @property
    def current_display(self):
        a = self.current
        return _shown(self.indicator, a.value, a.not_measurable) if a else "−"

    @property
    def new_display(self):
        v = self.values
        return _shown(self.indicator, v.value, v.not_measurable) if v else "−"


@dataclass
class Plan:
    rows: list
    issues: list

    @property
    def ok(self):
        return not self.issues

    @property
    def changes(self):
        return [r for r in self.rows if r.outcome in ("create", "update")]


def plan(*, strategy, department, fiscal_year, user, inputs: list[dict], lock=False) -> Plan:
    """Validate every row; nothing is written. `lock` (inside a transaction) locks the actuals."""
    indicators = {
        layout.indicator_key(strategy.code, i.code): i
        for i in Indicator.objects.for_strategy(strategy)
    }
    mine = {k: i for k, i in indicators.items() if i.department_id == department.pk}
    actuals = Actual.objects.filter(
        indicator__in=mine.values(), fiscal_year__in=[fiscal_year, fiscal_year - 1]
    ).order_by("pk")
    if lock:
        actuals = actuals.select_for_update()
    current, previous = {}, {}
    for a in actuals:
        (current if a.fiscal_year == fiscal_year else previous)[a.indicator_id] = a
    threshold = settings_for(strategy).outlier_threshold
    secretariat = Access(user).can_change_confirmed

    rows, issues, seen = [], [], {}
    for data in inputs:
        row = PlannedRow(row=data["row"], key=data.get("key", ""))
        rows.append(row)
        indicator = mine.get(row.key)
        if not row.key:
            row.issues.append(
                Issue(row.row, layout.KEY, "指標キーが空欄です。行を追加しないでください。")
            )
        elif row.key in seen:
            row.issues.append(
                Issue(row.row, layout.KEY, f"{seen[row.key]}行目と同じ指標の行が重複しています。")
            )
        elif indicator is None:
            other = indicators.get(row.key)
            reason = (
                f"「{other.name}」は{department.name}の担当ではありません。"
                if other
                else f"指標キー「{row.key}」の指標はありません。"
            )
            row.issues.append(
                Issue(row.row, layout.KEY, reason + "行を追加・変更しないでください。")
            )
        else:
            seen[row.key] = row.row
            row.indicator = indicator
            row.current = current.get(indicator.pk)
            prev = previous.get(indicator.pk)
            _check_row(row, data, prev.value if prev and prev.has_value else None, threshold)
            if row.values is not None and not row.issues:
                if (
                    row.outcome == "update"
                    and row.current.status == Actual.Status.CONFIRMED
                    and not secretariat
                ):
                    row.issues.append(
                        Issue(
                            row.row,
                            layout.VALUE,
                            f"「{indicator.name}」は確認済みです。変更は事務局に依頼してください。",
                        )
                    )
        if row.issues:
            row.outcome = "error"
        issues.extend(row.issues)

    for key, indicator in mine.items():
        if key not in seen:
            issues.append(
                _file_issue(
                    f"「{indicator.name}」（{indicator.code}）の行がありません。"
                    "入力用シートをダウンロードし直してください。"
                )
            )
    return Plan(rows=rows, issues=issues)


def _check_row(row: PlannedRow, data: dict, previous, threshold):
    ind = row.indicator
    texts = {name: data.get(name, "") for name in INPUT_FIELDS}
    if not any(texts.values()):
        # A blank row never clears a saved value: clearing is done on the entry form.
        row.outcome = "blank"
        return
    try:
        data_year = year_value(texts["data_year"])
    except CellError as e:
        row.issues.append(Issue(row.row, layout.DATA_YEAR, f"「{ind.name}」：{e.message}"))
        data_year = None
    confirm = texts["confirm"]
    if confirm not in ("", layout.CONFIRM_MARK):
        row.issues.append(
            Issue(
                row.row,
                layout.CONFIRM,
                f"「{ind.name}」：「{layout.CONFIRM_MARK}」を選ぶか空欄にしてください。",
            )
        )
    if len(texts["source"]) > layout.SOURCE_MAX_LENGTH:
        row.issues.append(
            Issue(
                row.row,
                layout.SOURCE,
                f"「{ind.name}」：出典は{layout.SOURCE_MAX_LENGTH}文字以内で入力してください。",
            )
        )
    for name in ("reason", "note"):
        if len(texts[name]) > layout.TEXT_MAX_LENGTH:
            row.issues.append(
                Issue(
                    row.row,
                    INPUT_FIELDS[name],
                    f"「{ind.name}」：{layout.TEXT_MAX_LENGTH}文字以内で入力してください。",
                )
            )
    values, errors = validate_entry(
        indicator_name=ind.name,
        unit=ind.unit,
        raw_value=texts["value"],
        not_measurable=False,
        not_measurable_reason=texts["reason"],
        data_year=data_year,
        data_source=texts["source"],
        note=texts["note"],
        confirm_outlier=confirm == layout.CONFIRM_MARK,
        previous=previous,
        outlier_threshold=threshold,
        baseline=ind.baseline_value,
        decimals=ind.decimals,
        allow_negative=ind.allow_negative,
    )
    for name, message in errors.items():
        row.issues.append(Issue(row.row, layout.FIELD_COLUMNS.get(name, layout.VALUE), message))
    if values is not None and not values.not_measurable and texts["reason"]:
        row.issues.append(
            Issue(
                row.row,
                layout.REASON,
                f"「{ind.name}」：測定不能の理由は、実績値を「測定不能」とする場合だけ入力してください。",
            )
        )
    if row.issues:
        return
    row.values = values
    if row.current is None:
        row.outcome = "create"
    else:
        row.outcome = "unchanged" if _same(row.current, values) else "update"


def _same(a: Actual, v: EntryValues) -> bool:
    return (
        a.value == v.value
        and a.not_measurable == v.not_measurable
        and a.not_measurable_reason == v.not_measurable_reason
        and a.data_year == v.data_year
        and a.data_source == v.data_source
        and a.note == v.note
        and a.outlier_confirmed == v.outlier_confirmed
    )


# --- writing -----------------------------------------------------------------------------------


def commit(*, strategy, department, fiscal_year, user, inputs: list[dict], filename="") -> int:
    """Save every changed row in one transaction; on any problem raise ImportRejected and save
    nothing. Returns the number of actuals saved."""
    with transaction.atomic():
        # The year's row first (as lock_year and every save take it): no import commits after
        # the year was locked, and the row order (year, then actuals) is the same everywhere.
        try:
            services.hold_open_year(strategy, fiscal_year)
        except services.WorkflowError:
            raise ImportRejected([_file_issue(locked_message(fiscal_year))]) from None
        # Planned again under SELECT … FOR UPDATE: the versions read here cannot change before
        # the bulk write below, which is what lets it skip save_actual's per-row version claim.
        checked = plan(
            strategy=strategy,
            department=department,
            fiscal_year=fiscal_year,
            user=user,
            inputs=inputs,
            lock=True,
        )
        if checked.issues:  # the whole file's problems first, then every row's, in file order
            raise ImportRejected(
                [i for i in checked.issues if i.row is None]
                + [i for row in checked.rows for i in row.issues]
            )
        reason = f"Excel取込（{filename[:100]}）" if filename else "Excel取込"
        try:
            return services.save_actuals_in_bulk(
                strategy=strategy,
                fiscal_year=fiscal_year,
                user=user,
                changes=[(r.indicator, r.current, r.values) for r in checked.changes],
                reason=reason,
            )
        except services.WorkflowError as e:  # StaleEdit: a first save from another screen
            raise ImportRejected([_file_issue(e.message)]) from None


def locked_message(fiscal_year):
    return (
        f"{fiscal_year}年度は有識者会議の検証のためロックされています。"
        "取込はできません。事務局にロック解除を依頼してください。"
    )


def _file_issue(message):
    return Issue(None, FILE, message)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _shown(indicator, value, not_measurable):
    if not_measurable:
        return "測定不能"
    if value is None:
        return "空欄"
    text = format_number(value)
    unit = indicator.unit if indicator else ""
    return f"{text}{unit}" if unit else text
