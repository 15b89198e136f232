"""The one place every workbook and every download takes its look and its response from.

Writers (the entry template, the actuals export, the dashboard export, the review pack, the
revision comparison, the population template) build their own rows; the header style, widths,
number formats (kpis.numfmt), frozen panes, Asia/Tokyo dates and the HTTP response of a download
(Content-Disposition with the Japanese file name, RFC 5987/6266) come from here, so that a header
colour or a file-name rule is changed once."""

import re
import unicodedata
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from kpis import numfmt
from kpis.excel.neutralise import neutralise

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

# The header row of every sheet: one colour everywhere (it was DCE6F1 in three writers and
# E4E7EB in three others).
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
HEADER_FONT = Font(bold=True)
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")
TITLE_FONT = Font(bold=True, size=14)
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")

PERCENT = numfmt.PERCENT_FORMAT
YEAR = "0"  # 2021, never 2,021
DATETIME = "yyyy/mm/dd hh:mm"

safe = neutralise  # text that Excel would read as a formula gets a leading apostrophe


def value_format(value, decimals: int) -> str:
    """A value's own decimals, never fewer than the indicator's (42.5 stays 42.5)."""
    return numfmt.excel_value_format(value, decimals)


def fixed_format(decimals: int) -> str:
    """Exactly the indicator's decimals (an interim target, a population figure)."""
    return numfmt.excel_format(decimals)


def style_header(cell, *, border: bool = False) -> None:
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.alignment = HEADER_ALIGNMENT
    if border:
        cell.border = BORDER


def header_row(ws, row: int, headers, widths=None, *, border: bool = False) -> None:
    """Write the headers in `row` in the house style; `widths`: a list by column, or a dict by
    header (headers not in it get 12)."""
    for column, text in enumerate(headers, start=1):
        style_header(ws.cell(row=row, column=column, value=safe(text)), border=border)
    if widths is not None:
        set_widths(ws, headers, widths)


def set_widths(ws, headers, widths) -> None:
    if isinstance(widths, dict):
        widths = [widths.get(h, 12) for h in headers]
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width


def freeze_below(ws, row: int, column: int = 1) -> None:
    """Rows up to `row` (the header) and the columns left of `column` stay on screen."""
    ws.freeze_panes = ws.cell(row=row + 1, column=column)


def title(ws, text: str, *, row: int = 1) -> None:
    ws.cell(row=row, column=1, value=safe(text)).font = TITLE_FONT


def local(when):
    """A time for a cell: Asia/Tokyo (settings.TIME_ZONE), naive (Excel has no time zones)."""
    return timezone.localtime(when).replace(tzinfo=None) if when is not None else None


def now_text() -> str:
    """'2026-11-30 08:44' in Asia/Tokyo: when a workbook was made."""
    return f"{timezone.localtime():%Y-%m-%d %H:%M}"


def date_text(when) -> str:
    """The day in Asia/Tokyo: an opinion written at 08:44 on 30 November is 30 November."""
    return f"{timezone.localtime(when):%Y-%m-%d}"


def landscape_a4(ws) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4


def method_sheet(wb, method, *, footer: bool = True):
    """評価の方法 (kpis.evaluation.method()): the same paragraphs the pages and the print show."""
    ws = wb.create_sheet(title="評価の方法")
    title(ws, "評価の方法")
    ws.cell(row=2, column=1, value=safe(f"評価の区分：{method.legend}"))
    for row, (heading, text) in enumerate(method.paragraphs, start=4):
        cell = ws.cell(row=row, column=1, value=safe(heading))
        cell.font, cell.alignment, cell.border = HEADER_FONT, TOP, BORDER
        cell = ws.cell(row=row, column=2, value=safe(text))
        cell.alignment, cell.border = WRAP, BORDER
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 110
    landscape_a4(ws)
    if footer:
        legend_footer(ws, method)
    return ws


def legend_footer(ws, method) -> None:
    """The grade legend at the foot of every printed page."""
    ws.oddFooter.left.text = f"評価の区分：{method.legend}"
    ws.oddFooter.left.size = 10
    ws.oddFooter.right.text = "&P / &N"


def to_bytes(wb) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# --- downloads ------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")  # control characters and path separators
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(filename: str) -> str:
    """attachment; filename="ascii fallback"; filename*=UTF-8''<the Japanese name, RFC 5987>.

    Browsers use filename* (指標一覧_nemuro-2_2022年度.xlsx); the plain filename is for clients
    that do not know RFC 5987. Neither can carry a quote, CR/LF or a path: a department named
    '水産\\r\\nSet-Cookie: …' stays inside the header."""
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", filename)).strip() or "download"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    plain_ext = _NOT_PLAIN.sub("", ext)
    plain = re.sub(r"_+", "_", _NOT_PLAIN.sub("_", stem)).strip("_.-") or "download"
    fallback = f"{plain}.{plain_ext}" if plain_ext else plain
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A file to save, never to show or to keep in a shared cache (it holds what this reader
    may see)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    return response
