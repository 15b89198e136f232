"""A strategy snapshot (revisions.snapshot.take_snapshot, or a revision's stored snapshot) as the
structured workbook of revisions.workbook.columns; blank_template() is the same with no rows.
No database access: everything comes from the snapshot."""

from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from kpis.excel.neutralise import template_text
from kpis.excel.workbook import value_format
from revisions.kinds import item_key
from revisions.workbook import columns as C


def export_strategy_workbook(snapshot: dict | None, *, revision: int | None = None) -> bytes:
    """The workbook of `snapshot` (None: the blank template). `revision`: the 第n版 it is as of,
    recorded in the hidden _meta sheet for the reader's information."""
    wb = Workbook()
    wb.remove(wb.active)
    _help_sheet(wb)
    for sheet in C.sheets():
        ws = wb.create_sheet(sheet.title)
        _header(ws, sheet)
        if snapshot is not None:
            for row in rows_of(sheet, snapshot):
                ws.append([_cell(c, row.get(c.name)) for c in sheet.columns])
        _validations(ws, sheet)
        _format(ws, sheet, snapshot)
    _meta(wb, snapshot, revision)
    wb.active = 1  # the strategy sheet
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def blank_template() -> bytes:
    return export_strategy_workbook(None)


# -- rows ----------------------------------------------------------------------------------


def rows_of(sheet: C.Sheet, snapshot: dict) -> list[dict]:
    """The sheet's rows as dicts keyed like its columns' names."""
    if sheet.what == "strategy":
        return [snapshot["strategy"]]
    kind = sheet.kind
    items = snapshot.get(kind.collection, [])
    if sheet.level:
        items = [i for i in items if i.get("level") == sheet.level]
    if sheet.what == "items":
        return [dict(item, key=item_key(kind, item)) for item in items]
    out = []
    for item in items:
        owner = item_key(kind, item)
        if sheet.what == "texts":
            out += [
                {"owner": owner, "order": n, "text": t}
                for n, t in enumerate(item[kind.texts.item], start=1)
            ]
        else:
            out += [dict(row, owner=owner) for row in item[kind.rows.item]]
    return out


def _cell(column: C.Column, value):
    if value is None:
        return None
    if column.type == C.BOOL:
        return C.YES if value else C.NO
    if column.type == C.CHOICE:
        return column.labels.get(value, value) if value != "" else None
    if column.type == C.NUMBER:
        return _number(value)
    if isinstance(value, str):
        return template_text(value) if value != "" else None
    return value


def _number(text):
    """A number cell, exactly: int, or a float when the float gives back the same decimal;
    otherwise the canonical text (the reader takes both)."""
    d = Decimal(str(text))
    if d == d.to_integral_value() and abs(d) < 10**15:
        return int(d)
    f = float(d)
    return f if Decimal(repr(f)) == d else str(text)


# -- look ----------------------------------------------------------------------------------


def _header(ws, sheet):
    ws.append(sheet.headers)
    for n, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=C.HEADER_ROW, column=n)
        cell.font = C.HEADER_FONT
        cell.fill = C.HEADER_FILL
        cell.border = C.BORDER
        cell.alignment = C.WRAP
        ws.column_dimensions[get_column_letter(n)].width = column.width
    ws.freeze_panes = f"A{C.FIRST_DATA_ROW}"  # a string: ws.cell() would add a row


def _format(ws, sheet, snapshot):
    decimals = {}
    if snapshot is not None and sheet.kind is not None and sheet.kind.name == "indicator":
        decimals = {i["code"]: i.get("decimals") or 0 for i in snapshot["indicators"]}
    numbers = [n for n, c in enumerate(sheet.columns, start=1) if c.type == C.NUMBER]
    keys = [n for n, c in enumerate(sheet.columns, start=1) if c.type == C.KEY]
    code_column = next(
        (n for n, c in enumerate(sheet.columns) if c.name in ("code", "owner")), None
    )
    for row in ws.iter_rows(min_row=C.FIRST_DATA_ROW):
        places = decimals.get(row[code_column].value, 0) if code_column is not None else 0
        for n in numbers:
            # each value with its own decimals, never fewer than the indicator's, ▲ for minus
            row[n - 1].number_format = value_format(row[n - 1].value, places)
        for n in keys:
            row[n - 1].fill = C.KEY_FILL


def _range(n: int) -> str:
    letter = get_column_letter(n)
    return f"{letter}{C.FIRST_DATA_ROW}:{letter}{C.FIRST_DATA_ROW + C.MAX_DATA_ROWS - 1}"


def _validations(ws, sheet):
    """Drop-down lists for the coded columns, and for a parent's code the parent sheet's codes."""
    for n, column in enumerate(sheet.columns, start=1):
        if column.type == C.CHOICE:
            labels = [label for _, label in column.choices]
            if any("," in label or '"' in label for label in labels):
                continue  # a literal list cannot hold them: the 説明 sheet lists the choices
            formula = '"' + ",".join(labels) + '"'
        elif column.type == C.BOOL:
            formula = f'"{C.YES},{C.NO}"'
        elif column.type == C.REF and sheet.what == "items":
            formula = _codes_of(column.ref)
        else:
            continue
        dv = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=not column.required,
            showErrorMessage=column.type != C.REF,
            errorTitle=column.header,
            error="一覧から選んでください。",
        )
        ws.add_data_validation(dv)
        dv.add(_range(n))


def _codes_of(kind_name) -> str:
    parent = next(
        s for s in C.sheets() if s.kind and s.kind.name == kind_name and s.what == "items"
    )
    n = next(
        i
        for i, c in enumerate(parent.columns, start=1)
        if c.type == C.KEY or c.name == {"goal": "number", "project": "name"}.get(kind_name)
    )
    letter = get_column_letter(n)
    last = C.FIRST_DATA_ROW + C.MAX_DATA_ROWS - 1
    return f"{quote_sheetname(parent.title)}!${letter}${C.FIRST_DATA_ROW}:${letter}${last}"


def _help_sheet(wb):
    ws = wb.create_sheet(C.HELP_SHEET)
    ws.append(["シート", "列", "入力", "必須", "説明"])
    for cell in ws[1]:
        cell.font = C.HEADER_FONT
        cell.fill = C.HEADER_FILL
    ws.append(
        [
            "（全体）",
            "",
            "",
            "",
            "1行目は見出しです（変更しないでください）。2行目から1行に1項目を入力します。"
            "セルの結合・数式は使えません。取り込みは全件まとめて行い、"
            "誤りがあればシート・行・列と理由を示して何も取り込みません。",
        ]
    )
    for sheet in C.sheets():
        ws.append([sheet.title, "", "", "", sheet.help])
        for column in sheet.columns:
            what = C.TYPE_HELP[column.type]
            if column.type == C.CHOICE:
                what += "：" + "／".join(label for _, label in column.choices)
            if column.max_length:
                what += f"（{column.max_length}文字まで）"
            ws.append(
                [sheet.title, column.header, what, "必須" if column.required else "", column.help]
            )
    for letter, width in zip("ABCDE", (16, 22, 40, 6, 70), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = C.WRAP
    ws.freeze_panes = "A2"


def _meta(wb, snapshot, revision):
    ws = wb.create_sheet(C.META_SHEET)
    ws.append(["kind", C.KIND])
    ws.append(["version", C.VERSION])
    ws.append(["strategy", snapshot["strategy"]["code"] if snapshot else ""])
    ws.append(["revision", revision])
    ws.sheet_state = "hidden"
