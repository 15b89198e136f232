"""The shape of the entry template (入力用シート), shared by the writer and the importer.

Nothing here touches the database: the importer recomputes the expected layout from the strategy
and the fiscal year in the URL and compares it with what it reads from the uploaded file."""

from dataclasses import dataclass

TEMPLATE_KIND = "nemuro-kpi/actuals-entry"
TEMPLATE_VERSION = 1

DATA_SHEET = "実績値入力"
META_SHEET = "_meta"

TITLE_ROW = 1
HELP_ROW = 2
HEADER_ROW = 3
FIRST_DATA_ROW = HEADER_ROW + 1
MAX_DATA_ROWS = 5000  # far more than a department has; the benchmark imports 5,000 in ≈ 2 s

# Locked columns before the past years' actuals.
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

# entry_rules.validate_entry error keys → the column the clerk has to fix.
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


def headers(first_fiscal_year: int, fiscal_year: int) -> list[str]:
    """The header row of the template for `fiscal_year` of a strategy starting in `first_fiscal_year`."""
    past = [past_year_header(y) for y in range(first_fiscal_year, fiscal_year)]
    return [KEY, GROUP, NAME, UNIT, BASELINE, TARGET, *past, *INPUT_HEADERS]


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
