"""The shape of the entry template (入力用シート), shared by the writer and the importer.

Nothing here touches the database: the importer recomputes the expected layout from the strategy
and the fiscal year in the URL and compares it with what it reads from the uploaded file."""

from dataclasses import dataclass

TEMPLATE_KIND = "nemuro-kpi/actuals-entry"
# 2: the input columns come straight after the target, past years to their right, so a column
# letter means the same every year (実績値 is always G). Version 1 files (past years before the
# inputs) are still read: the importer finds columns by their header, not by their position.
TEMPLATE_VERSION = 2
READABLE_VERSIONS = (1, 2)

DATA_SHEET = "実績値入力"
META_SHEET = "_meta"

TITLE_ROW = 1
HELP_ROW = 2
HEADER_ROW = 3
FIRST_DATA_ROW = HEADER_ROW + 1
MAX_DATA_ROWS = 5000  # far more than a department has; the benchmark imports 5,000 in ≈ 2 s

# Locked identifier columns, then the inputs, then the past years' actuals.
KEY = "指標キー"
GROUP = "基本目標・施策"
NAME = "指標名"
UNIT = "単位"
BASELINE = "基準値"
TARGET = "目標値"

# Input (unlocked) columns, in order.
VALUE = "実績値"
REASON = "測定不能の理由"
DATA_YEAR = "データの対象年"
SOURCE = "出典"
NOTE = "要因分析・課題・今後の方向性"
CONFIRM = "大きな変化を確認"
INPUT_HEADERS = (VALUE, REASON, DATA_YEAR, SOURCE, NOTE, CONFIRM)
CONFIRM_MARK = "確認済み"

# kpis.entry.rules.validate_entry error keys → the column the clerk has to fix.
FIELD_COLUMNS = {
    "value": VALUE,
    "not_measurable_reason": REASON,
    "data_year": DATA_YEAR,
    "data_source": SOURCE,
    "note": NOTE,
    "confirm_outlier": CONFIRM,
}

SOURCE_MAX_LENGTH = 200  # Actual.data_source
TEXT_MAX_LENGTH = 4000


def past_year_header(year: int) -> str:
    return f"{year}年度 実績"


FIXED_HEADERS = (KEY, GROUP, NAME, UNIT, BASELINE, TARGET)


def headers(first_fiscal_year: int, fiscal_year: int) -> list[str]:
    """The header row of the template for `fiscal_year` of a strategy starting in `first_fiscal_year`.

    Identifier and input columns never move between years; the growing list of past years is
    appended to the right of the inputs, so last year's file (or a macro written for it) still
    puts every value in the right column."""
    past = [past_year_header(y) for y in range(first_fiscal_year, fiscal_year)]
    return [*FIXED_HEADERS, *INPUT_HEADERS, *past]


def unexpected_headers(found: list, first_fiscal_year: int, fiscal_year: int) -> list:
    """Headers that no template of this strategy up to `fiscal_year` has (any order, any earlier
    year's set of past-year columns is fine), plus any header given twice."""
    known = set(headers(first_fiscal_year, fiscal_year))
    seen, odd = set(), []
    for h in found:
        if h is None:
            continue
        if h not in known or h in seen:
            odd.append(h)
        seen.add(h)
    return odd


def indicator_key(strategy_code: str, indicator_code: str) -> str:
    """Stable row key: survives renamed indicators and reordered rows."""
    return f"{strategy_code}/{indicator_code}"


def number_format(decimals: int) -> str:
    return "#,##0" if not decimals else "#,##0." + "0" * decimals


@dataclass(frozen=True)
class Meta:
    """What the hidden metadata sheet records."""

    kind: str
    version: int
    strategy: str
    fiscal_year: int
    department_id: int

    def as_rows(self) -> list[tuple[str, object]]:
        return [
            ("kind", self.kind),
            ("version", self.version),
            ("strategy", self.strategy),
            ("fiscal_year", self.fiscal_year),
            ("department_id", self.department_id),
        ]
