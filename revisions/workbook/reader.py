"""The strategy workbook (revisions.workbook.export) read back into a snapshot in exactly
revisions.snapshot.take_snapshot's format (ids are None). No database access.

All or nothing: read_strategy_workbook returns the snapshot only when there is no error; each
error names the sheet, the row, the column and the reason in Japanese. The upload protections
(type, macros, size, zip bombs, sheet extent, formulas, merged cells) are the entry template's
(kpis.excel.reader), reused."""

import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from kpis.excel.neutralise import unneutralise
from kpis.excel.reader import (
    UNREADABLE,
    CellError,
    UploadRefused,
    _is_formula,
    _merged_ranges,
    cell_text,
    check_extent,
    check_file_info,
    check_zip,
)
from kpis.numbers import NumberParseError, parse_number
from revisions.kinds import LIFECYCLE_FIELDS, blank_item, num
from revisions.snapshot import FORMAT, canonical
from revisions.state import TARGET_FIELDS
from revisions.workbook import columns as C

EXTENT = {
    "max_row": C.FIRST_DATA_ROW + C.MAX_DATA_ROWS + 1000,
    "max_column": 200,
    "max_cells": 150_000,  # 5,000 rows × the widest sheet (KPI, 25 columns), and slack
}
MAX_WHOLE_DIGITS = 12  # DecimalField(max_digits=16, decimal_places=4)
FILE = "（ファイル）"


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str  # the header ("目標値"), "" for the whole row or sheet
    message: str
    letter: str = ""  # the column's letter ("J")

    def __str__(self):
        where = []
        if self.sheet and self.sheet != FILE:
            where.append(f"「{self.sheet}」シート")
        if self.row:
            where.append(f"{self.row}行目")
        if self.column:
            where.append(f"「{self.column}」列" + (f"（{self.letter}列）" if self.letter else ""))
        return ("".join(where) + "：" if where else "") + self.message


@dataclass
class ReadResult:
    snapshot: dict | None
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.snapshot is not None


def read_strategy_workbook(file) -> ReadResult:
    """`file`: bytes, a file object, or an uploaded file (whose name, type and size are checked
    first, like the entry template's)."""
    try:
        data = _bytes(file)
        check_zip(data)
        check_extent(data, **EXTENT)
    except UploadRefused as e:
        return ReadResult(None, [Problem(FILE, None, "", e.message)])
    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, TypeError, …)
        return ReadResult(None, [Problem(FILE, None, "", UNREADABLE)])
    try:
        return _Reader(wb, data).read()
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError):
        return ReadResult(None, [Problem(FILE, None, "", UNREADABLE)])
    finally:
        wb.close()


def _bytes(file) -> bytes:
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if hasattr(file, "content_type"):  # an UploadedFile
        check_file_info(name=file.name, content_type=file.content_type, size=file.size)
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read()


# -- one cell --------------------------------------------------------------------------------

TRUE_WORDS = {C.YES, "○", "〇", "TRUE", "1", "1.0"}
FALSE_WORDS = {C.NO, "×", "FALSE", "0", "0.0", ""}


def parse_cell(column: C.Column, value):
    """The snapshot value of one cell; raises CellError with the reason."""
    if _is_formula(value):
        raise CellError("数式は使えません。値を入力してください。")
    kind = column.type
    if kind == C.DATE:
        return _date(value)
    if kind == C.NUMBER:
        return _number(column, value)
    # The export neutralises every text it writes (names, codes and parent codes alike: a project
    # named 「-…」 is also the 掲載 sheet's parent code), so every text-like column takes it back.
    text = unneutralise(cell_text(value)) if kind in (C.TEXT, C.REF, C.KEY) else cell_text(value)
    if text == "":
        return None
    if kind in (C.TEXT, C.REF, C.KEY):
        if column.max_length and len(text) > column.max_length:
            raise CellError(f"{column.max_length}文字以内で入力してください（{len(text)}文字）。")
        return text
    if kind == C.BOOL:
        word = unicodedata.normalize("NFKC", text).upper()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise CellError(f"「{C.YES}」または「{C.NO}」を選んでください（「{text}」）。")
    if kind == C.CHOICE:
        for value_, label in column.choices:
            if text in (label, value_):
                return value_
        allowed = "／".join(label for _, label in column.choices)
        raise CellError(f"「{text}」は選べません。{allowed} のいずれかを選んでください。")
    number = unicodedata.normalize("NFKC", text).removesuffix("年度").removesuffix(".0")
    if not number.isascii() or not number.isdigit():
        what = "西暦4桁の年度（例：2024）" if kind == C.YEAR else "0以上の整数"
        raise CellError(f"「{text}」は数値ではありません。{what}で入力してください。")
    n = int(number)
    if kind == C.YEAR and not 1900 <= n <= 2200:
        raise CellError(f"「{text}」は年度として読み取れません。西暦4桁で入力してください。")
    if kind == C.INT and n > 32767:
        raise CellError(f"{n}は大きすぎます。")
    return n


def _plain(column: C.Column, value):
    """The value of the most common cells (plain text, a whole number) without the checks they
    cannot fail, or None: parse_cell then decides."""
    kind, cls = column.type, type(value)
    if cls is str:
        if kind == C.TEXT and not value.startswith(("=", "'")):
            text = value.strip()
            if text and (not column.max_length or len(text) <= column.max_length):
                return text
    elif cls is int:
        if kind == C.YEAR and 1900 <= value <= 2200:
            return value
        if kind == C.INT and 0 <= value <= 32767:
            return value
        if kind == C.NUMBER and abs(value) < 10**MAX_WHOLE_DIGITS:
            return str(value)
    return None


def _number(column, value) -> str | None:
    if isinstance(value, bool):
        raise CellError("TRUE/FALSE ではなく数値を入力してください。")
    if isinstance(value, int | float | Decimal):
        d = Decimal(cell_text(value))
    else:
        text = cell_text(value)
        try:
            d = parse_number(text, field=column.header)
        except NumberParseError as e:
            raise CellError(e.message.removeprefix(f"{column.header}：")) from None
        if d is None:
            return None
    if d.as_tuple().exponent < -4 and d != d.quantize(Decimal("0.0001")):
        raise CellError("小数点以下4桁までで入力してください。")
    if abs(d) >= Decimal(10) ** MAX_WHOLE_DIGITS:
        raise CellError(f"数値が大きすぎます（整数部{MAX_WHOLE_DIGITS}桁まで）。")
    return num(d)


def _date(value) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", cell_text(value)).strip().replace("/", "-")
    if not text:
        return None
    try:
        y, m, d = (int(p) for p in text.split("-"))
        return date(y, m, d).isoformat()
    except ValueError:
        raise CellError(f"「{text}」は日付として読み取れません（例：2021-03-31）。") from None


# -- the workbook ----------------------------------------------------------------------------


@dataclass
class Row:
    sheet: C.Sheet
    number: int
    values: dict  # column name → parsed value
    letters: dict  # column name → letter


class _Reader:
    def __init__(self, wb, data):
        self.wb, self.data = wb, data
        self.errors: list[Problem] = []

    def problem(self, sheet, row, column: C.Column | None, message, letters=None):
        header = column.header if column else ""
        letter = (letters or {}).get(column.name, "") if column else ""
        self.errors.append(Problem(sheet.title, row, header, message, letter))

    def read(self) -> ReadResult:
        if not self._meta_ok():
            return ReadResult(None, self.errors)
        rows = {sheet.title: self._sheet(sheet) for sheet in C.sheets()}
        if any(p.row is None or p.row == C.HEADER_ROW for p in self.errors):
            return ReadResult(None, self.errors)  # a sheet or a column is missing
        snapshot = _Builder(self).build(rows)
        if self.errors:
            return ReadResult(None, self.errors)
        return ReadResult(canonical(snapshot), [])

    def _meta_ok(self) -> bool:
        meta = {}
        if C.META_SHEET in self.wb.sheetnames:
            ws = self.wb[C.META_SHEET]
            ws.reset_dimensions()
            for row in ws.iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
                if row and isinstance(row[0], str):
                    meta[row[0]] = row[1] if len(row) > 1 else None
        if meta.get("kind") != C.KIND:
            self.errors.append(
                Problem(
                    FILE,
                    None,
                    "",
                    "総合戦略のブックではありません。総合戦略のエクスポートまたは空のテンプレートを"
                    "ダウンロードし、それに入力してアップロードしてください。",
                )
            )
            return False
        if meta.get("version") != C.VERSION:
            self.errors.append(
                Problem(
                    FILE,
                    None,
                    "",
                    "このブックの形式（版）は読み込めません。新しくダウンロードしてください。",
                )
            )
            return False
        return True

    def _sheet(self, sheet: C.Sheet) -> list[Row]:
        if sheet.title not in self.wb.sheetnames:
            self.errors.append(Problem(sheet.title, None, "", "シートがありません。"))
            return []
        ws = self.wb[sheet.title]
        ws.reset_dimensions()  # never trust the file's <dimension>: read every row it has
        # One pass over the sheet: a read-only sheet parses its XML again for every iter_rows,
        # so the header row and the data rows come from the same iterator.
        rows = ws.iter_rows(min_row=C.HEADER_ROW, values_only=True)
        try:
            return self._read_sheet(sheet, ws, rows)
        finally:
            rows.close()  # closes the sheet's file inside the archive

    def _read_sheet(self, sheet: C.Sheet, ws, rows) -> list[Row]:
        header = next(rows, ())
        found = {}
        for n, h in enumerate(header[: C.MAX_COLUMNS]):
            if h is None or (isinstance(h, str) and not h.strip()):
                continue
            h = str(h).strip()
            if h in found:
                self.errors.append(
                    Problem(sheet.title, C.HEADER_ROW, h, "見出しが重複しています。")
                )
            elif h not in sheet.headers:
                self.errors.append(
                    Problem(
                        sheet.title,
                        C.HEADER_ROW,
                        h,
                        "この列は取り込めません（見出しを変更しないでください）。",
                        get_column_letter(n + 1),
                    )
                )
            found[h] = n
        for column in sheet.columns:
            if column.header not in found and column.type != C.KEY:
                self.errors.append(
                    Problem(sheet.title, C.HEADER_ROW, column.header, "列がありません。")
                )
        for ref, first_row in self._merged(ws):
            self.errors.append(
                Problem(
                    sheet.title,
                    first_row,
                    "",
                    f"セルが結合されています（{ref}）。結合を解除してください。",
                )
            )
        if any(p.sheet == sheet.title for p in self.errors):
            return []
        present = [(c, found[c.header]) for c in sheet.columns if c.header in found]
        letters = {c.name: get_column_letter(i + 1) for c, i in present}
        width = max(found.values(), default=0) + 1
        out, limit = [], C.FIRST_DATA_ROW + C.MAX_DATA_ROWS
        for number, cells in enumerate(rows, start=C.HEADER_ROW + 1):
            if number < C.FIRST_DATA_ROW:
                continue
            cells = cells[:width]  # columns without a header say nothing
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                continue
            if number >= limit:
                self.errors.append(
                    Problem(
                        sheet.title, number, "", f"行が多すぎます（{C.MAX_DATA_ROWS:,}行まで）。"
                    )
                )
                break
            values = {}
            for column, i in present:
                value = cells[i] if i < len(cells) else None
                if value is None:  # most optional cells: no parsing
                    values[column.name] = None
                    if column.required:
                        self.problem(sheet, number, column, "入力してください。", letters)
                    continue
                plain = _plain(column, value)
                if plain is not None:
                    values[column.name] = plain
                    continue
                try:
                    values[column.name] = parse_cell(column, value)
                except CellError as e:
                    self.problem(sheet, number, column, e.message, letters)
                    continue
                if values[column.name] is None and column.required:
                    self.problem(sheet, number, column, "入力してください。", letters)
            out.append(Row(sheet, number, values, letters))
        return out

    def _merged(self, ws):
        for ref in _merged_ranges(self.data, getattr(ws, "_worksheet_path", None)):
            try:
                _, min_row, _, _ = range_boundaries(ref)
            except ValueError:
                min_row = None
            yield ref, min_row


class _Builder:
    """Rows → snapshot items, with the checks that need more than one cell."""

    def __init__(self, reader: _Reader):
        self.reader = reader
        self.items: dict[str, dict[str, dict]] = {}  # kind name → key → item
        self.where: dict[tuple[str, str], Row] = {}  # (kind name, key) → its row
        self.period = (None, None, None)
        # Sheets with a refused cell: a missing code there is not reported again in the children.
        self.failed = {p.sheet for p in reader.errors}
        self.target_rows: dict[tuple[str, int], Row] = {}

    def problem(self, row: Row, name, message):
        column = next((c for c in row.sheet.columns if c.name == name), None)
        self.reader.problem(row.sheet, row.number, column, message, row.letters)

    def build(self, rows: dict) -> dict:
        snapshot = {"format": FORMAT}
        for sheet in C.sheets():
            sheet_rows = rows[sheet.title]
            if sheet.what == "strategy":
                snapshot["strategy"] = self._strategy(sheet, sheet_rows)
            elif sheet.what == "items":
                for row in sheet_rows:
                    self._item(sheet, row)
            elif sheet.what == "texts":
                self._texts(sheet, sheet_rows)
            else:
                self._rows(sheet, sheet_rows)
        if snapshot.get("strategy") is None:
            return snapshot
        self._targets(snapshot["strategy"])
        for sheet in C.sheets():
            if sheet.kind is not None and sheet.what == "items":
                items = self.items.get(sheet.kind.name, {})
                snapshot[sheet.kind.collection] = list(items.values())
        return snapshot

    def _strategy(self, sheet, rows):
        if len(rows) != 1:
            self.reader.errors.append(
                Problem(sheet.title, None, "", "総合戦略を1行だけ入力してください。")
            )
            return None
        row = rows[0]
        strategy = {c.name: row.values.get(c.name) for c in sheet.columns}
        first, last = strategy["first_fiscal_year"], strategy["last_fiscal_year"]
        if first and last and last < first:
            self.problem(row, "last_fiscal_year", "計画期間の最終年度は初年度以降にしてください。")
        self.period = (first, last, row)
        return strategy

    def _item(self, sheet, row: Row):
        kind = sheet.kind
        values = row.values
        if any(values.get(c.name) is None for c in sheet.columns if c.required):
            return  # reported already
        item = {"id": None} if kind.keyed else {}
        blank = blank_item(kind)
        for ref in kind.refs:
            item[ref.item] = None
        for column in sheet.columns:
            if column.type in (C.KEY,):
                continue
            value = values.get(column.name)
            if value is None and column.name in blank:
                value = blank[column.name]
            item[column.name] = value
        for ref in kind.refs:
            key = item[ref.item]
            if key is not None and key not in self.items.get(ref.kind, {}):
                if self._parent_failed(ref.kind):
                    return
                self.problem(
                    row, ref.item, f"「{C.TITLES[ref.kind]}」シートにコード「{key}」がありません。"
                )
                return
        if kind.name == "indicator":
            item["level"] = sheet.level
            if sheet.level == "goal":
                item["measure"] = None
            else:
                item["goal"] = self.items["measure"][item["measure"]]["goal"]
        if kind.texts:
            item[kind.texts.item] = []
        if kind.rows:
            item[kind.rows.item] = []
        if kind.lifecycle:
            for name in LIFECYCLE_FIELDS:
                item.setdefault(name, None)
        if kind.derived:
            item.update(kind.derived(item, self.items))
        try:
            key = kind.key(item)
        except (KeyError, TypeError):
            return  # a required cell is blank: already reported
        if kind.keyed:
            item["key"] = key
        typed = values.get("key")
        if typed is not None and typed != key:
            self.problem(
                row, "key", f"コードは「{key}」になります（上位のコードと番号から決まります）。"
            )
        earlier = self.where.get((kind.name, key))
        if earlier is not None:
            name = next((c.name for c in sheet.columns if c.type != C.KEY), "key")
            name = {"goal": "number", "indicator": "code", "project": "name"}.get(kind.name, name)
            other = "" if earlier.sheet is sheet else f"「{earlier.sheet.title}」シート"
            self.problem(
                row, name, f"コード「{key}」が重複しています（{other}{earlier.number}行目と同じ）。"
            )
            return
        self.where[(kind.name, key)] = row
        self.items.setdefault(kind.name, {})[key] = item

    def _owner(self, sheet, row):
        key = row.values.get("owner")
        item = self.items.get(sheet.kind.name, {}).get(key)
        if item is None and key is not None and not self._parent_failed(sheet.kind.name):
            self.problem(row, "owner", f"コード「{key}」の項目がありません。")
        return item

    def _parent_failed(self, kind_name) -> bool:
        return any(
            s.title in self.failed for s in C.sheets() if s.kind and s.kind.name == kind_name
        )

    def _texts(self, sheet, rows):
        lines = {}
        for row in rows:
            item = self._owner(sheet, row)
            if item is None:
                continue
            order = row.values.get("order")
            seen = lines.setdefault(id(item), {})
            if order in seen:
                self.problem(
                    row,
                    "order",
                    f"順序{order}が重複しています（{seen[order][0].number}行目と同じ）。",
                )
                continue
            seen[order] = (row, item)
        for seen in lines.values():
            for order in sorted(seen):
                row, item = seen[order]
                item[sheet.kind.texts.item].append(row.values.get("text") or "")

    def _rows(self, sheet, rows):
        fields = sheet.kind.rows.fields
        for row in rows:
            item = self._owner(sheet, row)
            if item is None:
                continue
            values = row.values
            out = {"from": values.get("from")}
            for name in fields:
                out[name] = values.get(name)
            out["revision"] = values.get("revision")
            rows_of = item[sheet.kind.rows.item]
            if any(r["from"] == out["from"] for r in rows_of):
                self.problem(row, "from", f"適用開始年度{out['from']}の行が重複しています。")
                continue
            rows_of.append(out)
            self.target_rows[(item["key"], out["from"])] = row

    def _targets(self, strategy):
        """Every indicator has its target rows; the latest is the indicator's own target, and no
        target year lies outside the plan period."""
        first, last, _ = self.period
        target_rows = self.target_rows

        def in_period(row, field, label, year):
            if first and last and year and not first <= year <= last:
                self.problem(
                    row, field, f"{label}{year}年度が計画期間（{first}〜{last}年度）の外です。"
                )

        for key, item in self.items.get("indicator", {}).items():
            row = self.where[("indicator", key)]
            in_period(row, "target_fiscal_year", "目標年度", item.get("target_fiscal_year"))
            rows = sorted(item["targets"], key=lambda r: r["from"] or 0)
            item["targets"] = rows
            if not rows:
                rows.append(
                    {"from": first, **{f: item.get(f) for f in TARGET_FIELDS}, "revision": 1}
                )
                continue
            for r in rows:
                where = target_rows[(key, r["from"])]
                in_period(where, "from", "適用開始年度", r["from"])
                in_period(where, "target_fiscal_year", "目標年度", r.get("target_fiscal_year"))
            latest = rows[-1]
            for name in TARGET_FIELDS:
                if latest.get(name) != item.get(name) and not (
                    latest.get(name) in (None, "") and item.get(name) in (None, "")
                ):
                    self.problem(
                        row,
                        name,
                        f"「目標値の推移」シートの最新の行（{latest['from']}年度から）と異なります。"
                        "両方を同じにしてください。",
                    )
                    break
