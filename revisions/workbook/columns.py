"""The strategy workbook's sheets and columns, derived from revisions.kinds (no field listed by
hand: a column added to one of the kinds' models becomes a column here, typed by its model field).

One sheet per kind, parents first; the indicator kind is two sheets (数値目標 / KPI, by level), and
what a kind owns gets a sheet of its own (基本的な方向, 目標値の推移, 取組む施策). Headers are the
model fields' verbose names. Styling lives here too (one place, so that it can follow the app's
shared workbook style module when there is one)."""

from dataclasses import dataclass
from functools import cache

from django.db import models
from openpyxl.styles import PatternFill

from kpis.excel import workbook as book
from kpis.models import Indicator, Strategy
from revisions.kinds import BY_NAME, LIFECYCLE_FIELDS, Kind

KIND = "nemuro-kpi/strategy-workbook"
VERSION = 1
META_SHEET = "_meta"
HELP_SHEET = "説明"
STRATEGY_SHEET = "総合戦略"
HEADER_ROW = 1
FIRST_DATA_ROW = 2
MAX_DATA_ROWS = 5000  # per sheet; 500 KPIs is ~10× Nemuro's
MAX_COLUMNS = 60

# Cell types (how a cell is read and written).
TEXT, NUMBER, YEAR, INT, BOOL, CHOICE, DATE, REF, KEY = (
    "text",
    "number",
    "year",
    "int",
    "bool",
    "choice",
    "date",
    "ref",
    "key",
)
YES, NO = "はい", "いいえ"
TYPE_HELP = {
    TEXT: "文字",
    NUMBER: "数値（全角数字・桁区切りのカンマ・▲も可）",
    YEAR: "西暦4桁の年度（例：2024）",
    INT: "整数",
    BOOL: f"「{YES}」または「{NO}」（空欄は{NO}）",
    CHOICE: "一覧から選択",
    DATE: "日付（例：2021-03-31）",
    REF: "上位の項目のコード（そのシートにあるもの）",
    KEY: "自動（上位のコードと番号から決まります。確認用）",
}


@dataclass(frozen=True)
class Column:
    header: str  # the Japanese header, also how the reader finds the column
    name: str  # the snapshot item's key ("target_value", "goal", "department", "from" …)
    type: str
    required: bool = False
    choices: tuple = ()  # ((value, label), …) for CHOICE
    max_length: int | None = None
    help: str = ""
    ref: str = ""  # REF: the kind it points at
    width: int = 14

    @property
    def labels(self) -> dict:
        return {value: label for value, label in self.choices}


@dataclass(frozen=True)
class Sheet:
    title: str
    kind: Kind | None  # None: the strategy sheet
    columns: tuple[Column, ...]
    what: str  # "items" (one row per item), "texts" (owned lines), "rows" (owned rows), "strategy"
    level: str = ""  # the indicator sheets: "goal" / "kpi"
    help: str = ""

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, name) -> Column:
        return next(c for c in self.columns if c.name == name)


def _type_of(model_field) -> str:
    if model_field.choices:
        return CHOICE
    if isinstance(model_field, models.BooleanField):
        return BOOL
    if isinstance(model_field, models.DecimalField):
        return NUMBER
    if isinstance(model_field, models.DateField):
        return DATE
    if isinstance(model_field, models.IntegerField):
        return YEAR if model_field.name.endswith("_year") else INT
    return TEXT


def _required(model_field) -> bool:
    if isinstance(model_field, models.BooleanField) or model_field.has_default():
        return False
    return not (model_field.null or model_field.blank)


def _width(model_field, kind) -> int:
    if kind == TEXT and isinstance(model_field, models.TextField):
        return 40
    if kind == TEXT:
        return 24 if (model_field.max_length or 0) > 40 else 14
    return 12


def field_column(model_field, name=None, header=None) -> Column:
    kind = _type_of(model_field)
    return Column(
        header=header or str(model_field.verbose_name),
        name=name or model_field.name,
        type=kind,
        required=_required(model_field),
        choices=tuple((v, str(label)) for v, label in model_field.choices or ()),
        max_length=getattr(model_field, "max_length", None) if kind == TEXT else None,
        help=str(model_field.help_text or ""),
        width=_width(model_field, kind),
    )


# The sheet of each kind (and the header its code has in a child's sheet).
TITLES = {
    "goal": "基本目標",
    "policy": "具体的な施策",
    "measure": "施策",
    "project": "事業",
    "listing": "掲載",
    "key_project": "重点プロジェクト",
}
REF_HEADERS = {
    "goal": "基本目標",
    "policy": "具体的な施策",
    "measure": "施策",
    "project": "事業名",
}
# Kinds whose key is built from their parent's and a field: a コード column shows it.
COMPOSED_KEYS = {"policy", "measure", "listing"}
KIND_HELP = {
    "goal": "基本目標。番号がコードです。",
    "policy": "具体的な施策（ア）（イ）（ウ）。コードは「基本目標-記号」（例：1-ア）。",
    "measure": "施策①②③。コードは「具体的な施策のコード-番号」（例：1-ア-1）。",
    "project": "具体的な事業。事業名がコードです（総合戦略の中で重複できません）。",
    "listing": "事業の掲載（どの施策の表に載るか）。【再掲】は同じ事業の2つ目以降の掲載です。",
    "key_project": "重点プロジェクト（３つのＣ）。",
}


def _ref_column(ref) -> Column:
    return Column(
        header=REF_HEADERS[ref.kind],
        name=ref.item,
        type=REF,
        required=True,
        ref=ref.kind,
        help=f"「{TITLES[ref.kind]}」シートのコード",
        width=12,
    )


def _lookup_column(lookup, model) -> Column:
    mf = model._meta.get_field(lookup.field)
    return Column(
        header=str(mf.verbose_name),
        name=lookup.field,
        type=TEXT,
        max_length=lookup.model._meta.get_field(lookup.attr).max_length,
        # The two imports differ: a new strategy creates the names it brings (services.
        # _ensure_departments); a revision refuses an unknown one (revisions.desired), so that a
        # typo does not become a 担当課 nobody is assigned to.
        help=f"{mf.verbose_name}の名称。新しい総合戦略として取り込むときは、ないものを作成します。"
        f"改訂として取り込むときは、管理画面にある{mf.verbose_name}と同じ名称にしてください"
        "（ないものは取り込めません）。",
        width=16,
    )


def _lifecycle_columns(kind) -> list[Column]:
    return [field_column(kind.lifecycle._meta.get_field(n)) for n in LIFECYCLE_FIELDS]


def _key_column(kind) -> Column:
    return Column("コード", "key", KEY, help="上位のコードと番号から決まります（確認用）", width=14)


def _item_sheet(kind, title, *, refs=None, exclude=(), level="", help="") -> Sheet:
    refs = kind.refs if refs is None else refs
    columns = [_key_column(kind)] if kind.name in COMPOSED_KEYS else []
    columns += [_ref_column(r) for r in refs]
    columns += [field_column(kind.model_field(n)) for n in kind.fields if n not in exclude]
    columns += [_lookup_column(lookup, kind.model) for lookup in kind.lookups]
    if kind.lifecycle:
        columns += _lifecycle_columns(kind)
    return Sheet(title, kind, tuple(columns), "items", level=level, help=help)


def _texts_sheet(kind, title) -> Sheet:
    texts = kind.texts
    owner = Column(
        header=REF_HEADERS.get(kind.name, "重点プロジェクト"),
        name="owner",
        type=REF,
        required=True,
        ref=kind.name,
        help=f"「{TITLES[kind.name]}」シートのコード",
        width=12,
    )
    order = field_column(texts.model._meta.get_field("order"))
    text = field_column(texts.model._meta.get_field("text"))
    return Sheet(
        title,
        kind,
        (owner, order, text),
        "texts",
        help=f"{TITLES[kind.name]}の{texts.model._meta.verbose_name}。順序の順に並びます。",
    )


def _rows_sheet(kind, title) -> Sheet:
    rows = kind.rows
    owner = Column(
        "指標コード",
        "owner",
        REF,
        required=True,
        ref=kind.name,
        help="「数値目標」「KPI」シートのコード",
    )
    year = field_column(rows.model._meta.get_field(rows.year), name="from")
    fields = [field_column(rows.model._meta.get_field(n)) for n in rows.fields]
    revision = Column(
        "改訂（版）",
        "revision",
        INT,
        help="この目標値を定めた改訂の番号（第1版なら1）。空欄は改訂に結び付けません。",
        width=10,
    )
    return Sheet(
        title,
        kind,
        (owner, year, *fields, revision),
        "rows",
        help=(
            "指標の基準値・目標値（適用開始年度別）。改訂で目標値を変えた年度から行が増えます。"
            "指標に行がないときは、指標の基準値・目標値が計画期間の初年度から適用されます。"
            "最新の行は指標の基準値・目標値と同じにしてください。"
        ),
    )


def _strategy_sheet() -> Sheet:
    names = ("code", "name", "municipality", "first_fiscal_year", "last_fiscal_year", "adopted_on")
    columns = tuple(field_column(Strategy._meta.get_field(n)) for n in names)
    return Sheet(
        STRATEGY_SHEET,
        None,
        columns,
        "strategy",
        help="総合戦略そのもの（1行）。計画期間の外の目標年度は取り込めません。",
    )


@cache
def sheets() -> tuple[Sheet, ...]:
    """Every sheet of the workbook in order (parents before children)."""
    goal, indicator, key_project = BY_NAME["goal"], BY_NAME["indicator"], BY_NAME["key_project"]
    goal_ref, measure_ref = indicator.refs
    return (
        _strategy_sheet(),
        _item_sheet(goal, TITLES["goal"], help=KIND_HELP["goal"]),
        _texts_sheet(goal, str(goal.texts.model._meta.verbose_name)),
        _item_sheet(BY_NAME["policy"], TITLES["policy"], help=KIND_HELP["policy"]),
        _item_sheet(BY_NAME["measure"], TITLES["measure"], help=KIND_HELP["measure"]),
        _item_sheet(
            indicator,
            "数値目標",
            refs=(goal_ref,),
            exclude=("level",),
            level=Indicator.Level.GOAL,
            help="基本目標の数値目標。コードは総合戦略の中で重複できません。",
        ),
        _item_sheet(
            indicator,
            "KPI",
            refs=(measure_ref,),
            exclude=("level",),
            level=Indicator.Level.KPI,
            help="施策の重要業績評価指標（KPI）。基本目標は施策から決まります。",
        ),
        _rows_sheet(indicator, "目標値の推移"),
        _item_sheet(BY_NAME["project"], TITLES["project"], help=KIND_HELP["project"]),
        _item_sheet(BY_NAME["listing"], TITLES["listing"], help=KIND_HELP["listing"]),
        _item_sheet(key_project, TITLES["key_project"], help=KIND_HELP["key_project"]),
        _texts_sheet(key_project, str(key_project.texts.model._meta.verbose_name)),
    )


def sheet_named(title) -> Sheet:
    return next(s for s in sheets() if s.title == title)


# -- look (one place) ----------------------------------------------------------------------

HEADER_FILL = book.HEADER_FILL  # every workbook's header (kpis/excel/workbook.py)
KEY_FILL = PatternFill("solid", fgColor="F2F2F2")
HEADER_FONT = book.HEADER_FONT
BORDER = book.BORDER
WRAP = book.WRAP
