"""Where an item of a strategy workbook is: (sheet, row) by kind and stable code (no database).

The reader (revisions.workbook.reader) names sheet, row and column for what it refuses; the draft
plan (revisions.desired) refuses by item and field. This finds the row of such an item in the
same workbook, read with the reader's own sheets, columns and cell parsing, so a refusal on the
import page names the row too. Read only when there is something to refuse."""

from io import BytesIO

from openpyxl import load_workbook

from revisions.workbook import columns as C
from revisions.workbook.columns import sheet_named
from revisions.workbook.reader import parse_cell


def row_locator(data: bytes):
    """A function (kind, key, field) → (sheet title, row number) or None."""
    rows = _rows(data)

    def locate(kind, key, field=""):
        if kind is None:
            return (C.STRATEGY_SHEET, C.FIRST_DATA_ROW) if field in STRATEGY_FIELDS else None
        if kind == "indicator" and field == "targets":
            hit = rows.get(("targets", key))
            if hit:
                return hit
        return rows.get((kind, key))

    return locate


STRATEGY_FIELDS = {c.name for c in sheet_named(C.STRATEGY_SHEET).columns}


def _rows(data: bytes) -> dict:
    out = {}
    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # the reader read it already; a locator that cannot is only less precise
        return out
    try:
        for sheet in C.sheets():
            if sheet.kind is None or sheet.what not in ("items", "rows"):
                continue
            if sheet.title in wb.sheetnames:
                _sheet_rows(wb[sheet.title], sheet, out)
    finally:
        wb.close()
    return out


def _sheet_rows(ws, sheet, out):
    ws.reset_dimensions()
    header = next(ws.iter_rows(min_row=C.HEADER_ROW, max_row=C.HEADER_ROW, values_only=True), ())
    index = {str(h).strip(): n for n, h in enumerate(header) if h is not None}
    columns = [(c, index[c.header]) for c in sheet.columns if c.header in index]
    for number, cells in enumerate(
        ws.iter_rows(min_row=C.FIRST_DATA_ROW, values_only=True), start=C.FIRST_DATA_ROW
    ):
        values = {}
        for column, i in columns:
            try:
                values[column.name] = parse_cell(column, cells[i] if i < len(cells) else None)
            except Exception:  # a cell the reader refused would have stopped the import
                values[column.name] = None
        if sheet.what == "rows":
            # An indicator's last row on the sheet: the newest year, which a refused target
            # change is usually about (the export writes each indicator's rows in year order).
            if values.get("owner"):
                out[("targets", values["owner"])] = (sheet.title, number)
            continue
        try:
            key = sheet.kind.key(values)
        except (KeyError, TypeError):
            continue
        out.setdefault((sheet.kind.name, str(key)), (sheet.title, number))
