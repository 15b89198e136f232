"""Reading an uploaded entry template safely. No database here.

check_upload() refuses what must never reach openpyxl (wrong type, macros, too big, zip bombs);
read_workbook() returns the raw cells of the data sheet, the metadata and the merged ranges.
Messages are Japanese sentences shown to the clerk as they are."""

import html
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from io import BytesIO
from itertools import islice
from pathlib import PurePath

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from kpis.excel import layout

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 200
MAX_COLUMNS = 60

XLSX_CONTENT_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    # What browsers send when the OS does not know the extension, or maps it to the old type.
    "application/octet-stream",
    "application/vnd.ms-excel",
    "application/zip",
    "application/x-zip-compressed",
    "",
}
MACRO_EXTENSIONS = {".xlsm", ".xltm", ".xlam", ".xlsb"}

NOT_EXCEL = "Excelファイル（.xlsx）ではありません。ダウンロードした入力用シートに入力してアップロードしてください。"
MACRO = "マクロを含むファイル（.xlsm など）は受け付けません。入力用シート（.xlsx）に入力してアップロードしてください。"
TOO_BIG = f"ファイルが大きすぎます（{MAX_UPLOAD_BYTES // 1024 // 1024}MBまで）。入力用シート以外のデータを削除してください。"
BOMB = "展開後のサイズが大きすぎるため、このファイルは読み込めません。ダウンロードした入力用シートを使ってください。"
UNREADABLE = (
    "ファイルを読み込めませんでした。破損しているか、入力用シートではない可能性があります。"
)


class UploadRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def check_file_info(*, name: str, content_type: str, size: int) -> None:
    """Refuse by name, declared type and size, before reading a byte of the file."""
    suffix = PurePath(name or "").suffix.lower()
    content_type = (content_type or "").split(";")[0].strip().lower()
    if suffix in MACRO_EXTENSIONS or "macroenabled" in content_type:
        raise UploadRefused(MACRO)
    if suffix == ".xls":
        raise UploadRefused(
            "古い形式のExcelファイル（.xls）は読み込めません。ダウンロードした入力用シート（.xlsx）を使ってください。"
        )
    if suffix != ".xlsx" or content_type not in XLSX_CONTENT_TYPES:
        raise UploadRefused(NOT_EXCEL)
    if size > MAX_UPLOAD_BYTES:
        raise UploadRefused(TOO_BIG)


def check_zip(data: bytes) -> None:
    """Refuse what is not a plain .xlsx zip within the limits (before openpyxl opens it)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(TOO_BIG)
    if not data.startswith(b"PK\x03\x04"):
        raise UploadRefused(NOT_EXCEL)
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            members = zf.infolist()
            names = {m.filename.lower() for m in members}
            if len(members) > MAX_MEMBERS:
                raise UploadRefused(BOMB)
            # zipfile stops reading a member at its declared size, so the sum is a real bound.
            if sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
                raise UploadRefused(BOMB)
            if any(n.endswith("vbaproject.bin") or "/activex/" in n for n in names):
                raise UploadRefused(MACRO)
            if "[content_types].xml" not in names or "xl/workbook.xml" not in names:
                raise UploadRefused(NOT_EXCEL)
            if b"macroenabled" in zf.read("[Content_Types].xml").lower():
                raise UploadRefused(MACRO)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        raise UploadRefused(NOT_EXCEL) from None


# The real extent of the sheets, read from their XML before openpyxl builds anything: a cell at
# XFD1048576, 800,000 empty <row/> elements or 750,000 shared strings fit in 2 MB zipped and made
# openpyxl iterate (or pad) a million rows — seconds to minutes and hundreds of MB per upload.
# Tags are found with regular expressions that stay linear (no nesting, no entity expansion).
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^<>]*)>")
CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^<>]*)>")
SHARED_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si\b")
R_ATTRIBUTE = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]{0,3})(\d{1,9})["']""")
# The template's data rows (layout.MAX_DATA_ROWS) and some slack, so that a few rows too many
# still get the precise "too many rows" message.
ENTRY_EXTENT = {
    "max_row": layout.FIRST_DATA_ROW + layout.MAX_DATA_ROWS + 1000,
    "max_column": 200,
    "max_cells": 120_000,
}


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def too_large(message_target: str, limit: str) -> str:
    return (
        f"{message_target}に、入力用の範囲を大きく超えるセルがあります（{limit}）。"
        "不要な行・列を削除するか、ダウンロードしたテンプレートに入力し直してください。"
    )


def check_extent(data: bytes, *, max_row: int, max_column: int, max_cells: int) -> None:
    """Refuse a workbook whose sheets reach beyond max_row / max_column, hold more than max_cells
    cells or <row> elements, or more shared strings than max_cells — before openpyxl opens it.
    Call after check_zip() (which bounds the uncompressed size this reads)."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            for info in zf.infolist():
                name = info.filename.lower()
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    _check_sheet_xml(zf.read(info), max_row, max_column, max_cells)
                elif name == "xl/sharedstrings.xml":
                    # Counted up to the limit only: the work stays bounded whatever the file.
                    tags = islice(SHARED_STRING_TAG.finditer(zf.read(info)), max_cells + 1)
                    if sum(1 for _ in tags) > max_cells:
                        raise UploadRefused(too_large("ブック", f"共有文字列 {max_cells:,}件超"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        raise UploadRefused(NOT_EXCEL) from None


def _check_sheet_xml(xml: bytes, max_row, max_column, max_cells):
    rows = cells = 0
    for tag in ROW_TAG.finditer(xml):
        rows += 1
        ref = R_ATTRIBUTE.search(tag.group(1))
        if rows > max_cells or (ref and int(ref.group(2)) > max_row):
            where = f"{int(ref.group(2)):,}行目" if ref else f"{rows:,}行"
            raise UploadRefused(too_large("シート", where))
    for tag in CELL_TAG.finditer(xml):
        cells += 1
        if cells > max_cells:
            raise UploadRefused(too_large("シート", f"{cells:,}セル以上"))
        ref = R_ATTRIBUTE.search(tag.group(1))
        if ref and (
            int(ref.group(2)) > max_row
            or (ref.group(1) and _column_number(ref.group(1)) > max_column)
        ):
            raise UploadRefused(
                too_large("シート", (ref.group(1) + ref.group(2)).decode("ascii", "replace"))
            )


def check_upload(*, name: str, content_type: str, size: int, data: bytes) -> None:
    """Raise UploadRefused unless the upload looks like a plain .xlsx within the limits."""
    check_file_info(name=name, content_type=content_type, size=size)
    check_zip(data)
    check_extent(data, **ENTRY_EXTENT)


@dataclass
class RawCell:
    value: object
    is_formula: bool


@dataclass
class RawRow:
    number: int  # the Excel row number the clerk sees
    cells: dict  # header → RawCell


@dataclass
class Sheet:
    meta: dict | None
    headers: list
    rows: list = field(default_factory=list)
    merged: list = field(default_factory=list)  # "A5:B5"
    too_many_rows: bool = False


def read_workbook(data: bytes) -> Sheet:
    """Read the data sheet (read-only mode) after check_upload() has passed."""
    check_extent(data, **ENTRY_EXTENT)  # also here: the bound must hold whoever calls this
    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, TypeError, …)
        raise UploadRefused(UNREADABLE) from None
    try:
        return _read(wb, data)
    except UploadRefused:
        raise
    except Exception:
        raise UploadRefused(UNREADABLE) from None
    finally:
        wb.close()


def _read(wb, data) -> Sheet:
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
    ws.reset_dimensions()  # never trust the file's <dimension>: read every row it has
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
    # Values, not cell objects (a third faster). With data_only=False a formula cell's value
    # is its text ("=A1*2"), or an ArrayFormula / DataTableFormula object (Excel 365 saves
    # dynamic-array formulas so): anything but a plain value is a formula.
    for number, values in enumerate(
        ws.iter_rows(min_row=layout.FIRST_DATA_ROW, max_col=width, values_only=True),
        start=layout.FIRST_DATA_ROW,
    ):
        raw = {
            h: RawCell(v, _is_formula(v))
            for h, v in ((h, values[i] if i < len(values) else None) for i, h in named)
        }
        if all(_blank(c.value) for c in raw.values()):
            continue
        if number >= limit:
            sheet.too_many_rows = True
            break
        sheet.rows.append(RawRow(number, raw))
    return sheet


# <mergeCell ref="A5:B5"/> with or without a namespace prefix, found with regular expressions over
# the sheet's XML instead of parsing all of it a second time (openpyxl's read-only mode drops merged
# ranges). Both patterns stay linear on hostile input: a tag's attributes cannot run past the next
# "<" or ">", and the ref must start an attribute (not "x-ref"). No entities are expanded.
MERGE_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b([^<>]*)>")
REF_ATTRIBUTE = re.compile(rb"""(?:^|\s)ref\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _merged_ranges(data, path) -> list[str]:
    if not path:
        return []
    with zipfile.ZipFile(BytesIO(data)) as zf:
        xml = zf.read(path.lstrip("/"))  # check_zip() has bounded the uncompressed size
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):  # a UTF-16 sheet, as XML allows
        xml = xml.decode("utf-16").encode()
    out = []
    for tag in MERGE_CELL_TAG.finditer(xml):
        ref = REF_ATTRIBUTE.search(tag.group(1))
        if ref:
            out.append(html.unescape((ref.group(1) or ref.group(2)).decode("utf-8", "replace")))
    return out


def merged_in_rows(merged: list[str], first_row: int) -> list[tuple[str, int, int]]:
    """(range, first row, first column) of merged ranges reaching row `first_row` or below."""
    found = []
    for ref in merged:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except ValueError:
            continue
        if max_row is None or max_row >= first_row:
            found.append((ref, max(min_row or 1, first_row), min_col or 1))
    return found


PLAIN_VALUES = (str, int, float, Decimal, bool, datetime, date, time, timedelta, type(None))


def _is_formula(value) -> bool:
    return (isinstance(value, str) and value.startswith("=")) or not isinstance(value, PLAIN_VALUES)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class CellError(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def cell_text(value) -> str:
    """A text or number cell as the string a clerk would have typed into the form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise CellError("TRUE/FALSE ではなく値を入力してください。")
    if isinstance(value, datetime | date | time):
        raise CellError("日付や時刻として入力されています。文字または数値で入力してください。")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        try:
            d = Decimal(repr(value)) if isinstance(value, float) else value
        except InvalidOperation:
            raise CellError("数値として読み取れません。") from None
        if not d.is_finite():
            raise CellError("数値として読み取れません。")
        return "0" if d.is_zero() else format(d.normalize(), "f")
    return str(value).strip()


def year_value(value) -> int | None:
    """データの対象年: 2020, '２０２０', '2020年'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", cell_text(value)).strip().removesuffix("年").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit():
        raise CellError("西暦4桁の数字で入力してください（例：2020）。")
    return int(text)
