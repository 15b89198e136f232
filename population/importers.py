"""Read an uploaded .xlsx or .csv of actual population figures and the blank template.

read_upload() refuses anything that is not the template filled in (wrong type, macros, too large,
wrong headers, formulas, a CSV in an unknown encoding) with a Japanese message, and otherwise
returns every row checked by population.rules. Nothing here writes to the database."""

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from kpis.excel import workbook as book
from population.models import DATA_SOURCES, Category
from population.rules import ENTRY_CATEGORIES, YearFigures, validate_year_figures

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 200
SHEET_TITLE = "人口実績"
HEADERS = ["年", "データの出所"] + [Category(c).label for c in ENTRY_CATEGORIES]
KEYS = ["year", "data_source"] + list(ENTRY_CATEGORIES)


from kpis.excel.reader import UploadRefused as ExcelRefused  # noqa: E402
from kpis.excel.reader import check_extent, check_zip  # noqa: E402

# A population workbook has a header and a row per year: far below these (see check_extent).
POPULATION_EXTENT = {"max_row": 1000, "max_column": 100, "max_cells": 20_000}


class UploadRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class ReadResult:
    rows: list = field(default_factory=list)  # [YearFigures]
    errors: list = field(default_factory=list)  # ['3行目：総人口：…']


def read_upload(uploaded) -> ReadResult:
    """Raise UploadRefused for a file that cannot be read at all; else rows and row errors."""
    name = uploaded.name or ""
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlam"):
        raise UploadRefused(
            "マクロ付きのブック（.xlsm など）は受け付けません。テンプレート（.xlsx）に値を入力して、"
            "「Excel ブック（.xlsx）」形式で保存してください。"
        )
    if suffix in (".xls", ".xlsb", ".ods"):
        raise UploadRefused(
            f"{suffix} 形式は読み取れません。「Excel ブック（.xlsx）」形式で保存し直してください。"
        )
    if suffix not in (".xlsx", ".csv"):
        raise UploadRefused(
            "Excelファイル（.xlsx）またはCSVファイル（.csv）を選んでください。"
            "テンプレートをダウンロードして使うことができます。"
        )
    if uploaded.size is not None and uploaded.size > MAX_BYTES:
        raise UploadRefused(
            f"ファイルが大きすぎます（{uploaded.size / 1024 / 1024:.1f}MB）。2MB以下のファイルにしてください。"
        )
    data = uploaded.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UploadRefused("ファイルが大きすぎます。2MB以下のファイルにしてください。")
    if not data:
        raise UploadRefused(
            "ファイルが空です。テンプレートに値を入力してからアップロードしてください。"
        )
    table = _xlsx_rows(data) if suffix == ".xlsx" else _csv_rows(data)
    return _check_rows(table)


def _xlsx_rows(data: bytes) -> list[list]:
    not_excel = UploadRefused(
        "Excelファイル（.xlsx）として読み取れません。ファイルが壊れているか、"
        "拡張子だけを .xlsx に変えたファイルの可能性があります。"
    )
    try:
        # The same zip checks as the actuals import: size, zip bombs, macros, a real workbook.
        check_zip(data)
        # The sheets' real extent before openpyxl reads a cell (a cell at XFD1048576 made it grow
        # without bound), and read-only mode: rows are streamed, not built as a whole sheet.
        check_extent(data, **POPULATION_EXTENT)
    except ExcelRefused as e:
        raise UploadRefused(e.message) from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise not_excel from None
    sheet = workbook[SHEET_TITLE] if SHEET_TITLE in workbook.sheetnames else workbook.worksheets[0]
    sheet.reset_dimensions()  # never trust the file's <dimension> (check_extent bounded the rows)
    rows = []
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or (
                isinstance(cell.value, str) and cell.value.startswith("=")
            ):
                raise UploadRefused(
                    f"シート「{sheet.title}」の {cell.coordinate} セルに数式があります。"
                    "数式は使えません。値として貼り付けてからアップロードしてください。"
                )
        rows.append([_cell_text(cell.value) for cell in row])
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # 26917.0 → '26917'; 1.61 stays '1.61' (repr is the shortest exact form).
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _csv_rows(data: bytes) -> list[list]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise UploadRefused(
            "CSVファイルの文字コード（UTF-16 など）を読み取れません。"
            "「CSV UTF-8（コンマ区切り）」または「CSV（コンマ区切り）」（Shift_JIS）で保存してください。"
        )
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UploadRefused(
            "CSVファイルの文字コードを読み取れません。UTF-8 または Shift_JIS（CP932）で保存してください。"
        )
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:  # e.g. a field over csv.field_size_limit() (131,072 characters)
        raise UploadRefused(
            "CSVファイルを読み取れません（1つの欄が長すぎるか、形式が壊れています）。"
            "テンプレートの形式で保存し直してください。"
        ) from None
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value.strip().startswith("="):
                raise UploadRefused(
                    f"{number}行目 {_column_letter(column)}列に数式があります。"
                    "数式は使えません。値を入力してください。"
                )
    return rows


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    for dash in ("〜", "~", "-", "−"):
        text = text.replace(dash, "~")
    return text.replace(" ", "").strip()


def _check_rows(table: list[list]) -> ReadResult:
    while table and not any(str(v).strip() for v in table[-1]):
        table.pop()
    if not table:
        raise UploadRefused(
            "ファイルが空です。テンプレートに値を入力してからアップロードしてください。"
        )
    header = [str(v) for v in table[0]]
    while header and not header[-1].strip():
        header.pop()
    if [_normal(h) for h in header] != [_normal(h) for h in HEADERS]:
        missing = [h for h in HEADERS if _normal(h) not in {_normal(x) for x in header}]
        detail = f"「{'」「'.join(missing)}」の列が見つかりません。" if missing else ""
        raise UploadRefused(
            f"1行目の見出しがテンプレートと異なります。{detail}"
            f"見出しは「{'」「'.join(HEADERS)}」の順にしてください。"
            "（CSVの場合、文字コードが UTF-8・Shift_JIS 以外のときにもこの表示になります。）"
        )
    body = table[1:]
    if sum(1 for row in body if any(str(v).strip() for v in row)) > MAX_ROWS:
        raise UploadRefused(f"行数が多すぎます。{MAX_ROWS}行以内にしてください。")
    result = ReadResult()
    seen = {}
    for number, row in enumerate(body, start=2):
        cells = [str(v) if v is not None else "" for v in row] + [""] * len(KEYS)
        if not any(c.strip() for c in cells):
            continue
        if any(c.strip() for c in cells[len(KEYS) :]):
            result.errors.append(f"{number}行目：見出しのない列に値があります。")
            continue
        raw = dict(zip(KEYS, cells, strict=False))
        figures, errors = validate_year_figures(
            year=raw["year"],
            data_source=raw["data_source"],
            raw_values={c: raw[c] for c in ENTRY_CATEGORIES},
            where=f"{number}行目：",
        )
        if errors:
            result.errors.extend(errors.values())
            continue
        if figures.year in seen:
            result.errors.append(
                f"{number}行目：{figures.year}年は{seen[figures.year]}行目にもあります。1つの年は1行にまとめてください。"
            )
            continue
        seen[figures.year] = number
        result.rows.append(figures)
    if not result.rows and not result.errors:
        result.errors.append("入力された行がありません。2行目から年ごとに値を入力してください。")
    return result


def rows_from_payload(payload) -> list[YearFigures]:
    """Re-check rows from a signed preview; raise UploadRefused if they no longer pass."""
    rows = []
    for item in payload:
        figures, errors = validate_year_figures(
            year=str(item["year"]),
            data_source=item["data_source"],
            raw_values=item["values"],
            where=f"{item['year']}年：",
        )
        if errors:
            raise UploadRefused(next(iter(errors.values())))
        rows.append(figures)
    return rows


def template_workbook() -> bytes:
    """The blank template: the header row, a list for データの出所, and how to fill it in."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    book.header_row(sheet, 1, HEADERS, [10, 16, 14, 20, 22, 20, 20, 16])
    sheet.row_dimensions[1].height = 36
    book.freeze_below(sheet, 1)
    validation = DataValidation(
        type="list",
        formula1=f'"{",".join(DATA_SOURCES)}"',
        allow_blank=False,
        showErrorMessage=True,
        errorTitle="データの出所",
        error=f"{'・'.join(DATA_SOURCES)} から選んでください。",
    )
    sheet.add_data_validation(validation)
    validation.add(f"B2:B{MAX_ROWS + 1}")
    for row in range(2, MAX_ROWS + 2):
        sheet.cell(row=row, column=1).number_format = "0"
        for column in range(3, 8):
            sheet.cell(row=row, column=column).number_format = "#,##0"
        sheet.cell(row=row, column=8).number_format = "0.00"
    notes = workbook.create_sheet("記入方法")
    for line in [
        "人口の実績値の取込テンプレート（根室市創生総合戦略 KPI進捗管理）",
        "",
        "・「人口実績」シートの2行目から、1つの年を1行に入力してください。1行目の見出しは変更しないでください。",
        "・年：西暦4桁（例：2020）。データの出所：「住民基本台帳」または「国勢調査」。",
        "・人数は整数で入力してください（カンマ・全角数字も可）。分からない値は空欄のままにしてください。",
        "・合計特殊出生率は単位を付けずに入力してください（例：1.53）。",
        "・数式・マクロは使えません。値として入力してください。",
        "・取込の前に確認画面が表示されます。1行でも誤りがあると、何も保存されません。",
        "・CSVで保存する場合は、UTF-8 または Shift_JIS（Excelの「CSV（コンマ区切り）」）で保存してください。",
    ]:
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    return book.to_bytes(workbook)
