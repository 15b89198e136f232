"""Upload bombs (issue 14): small .xlsx files whose sheets claim a huge extent, built from a real
template. Used by tests/security/test_upload_bombs.py and by the load test (scripts/loadtest.py),
which sends some of them while the simulated users work. Only openpyxl is needed (no Django)."""

import io
import re
import zipfile

from openpyxl import load_workbook


def _far_cell(content: bytes, ref: str) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    wb.worksheets[0][ref] = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rewrite(content: bytes, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = change(info.filename, src.read(info))
            dst.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _empty_rows(content: bytes, n=808_000) -> bytes:
    rows = b"".join(b'<row r="%d"/>' % r for r in range(10_000, 10_000 + n))

    def change(name, data):
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(b"</sheetData>", rows + b"</sheetData>", 1)
        return data

    return _rewrite(content, change)


SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _shared_strings(content: bytes, n=750_000) -> bytes:
    """The workbook with a shared-strings part of n entries (added, with its content type and
    relationship, when openpyxl wrote none)."""
    strings = b"".join(b"<si><t>%d</t></si>" % (i % 10) for i in range(n))
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>' % (n, n, strings)
    )
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()

    def change(name, data):
        if name == "xl/sharedStrings.xml":
            return xml
        if "xl/sharedStrings.xml" in names:
            return data
        if name == "[Content_Types].xml":
            part = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST}"/>'
            return data.replace(b"</Types>", part.encode() + b"</Types>")
        if name == "xl/_rels/workbook.xml.rels":
            rel = f'<Relationship Id="rIdSst" Type="{SST_REL}" Target="sharedStrings.xml"/>'
            return data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
        return data

    out = _rewrite(content, change)
    if "xl/sharedStrings.xml" not in names:
        buffer = io.BytesIO(out)
        with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("xl/sharedStrings.xml", xml)
        out = buffer.getvalue()
    return out


BOMBS = {
    "far-cell-XFD1048576": lambda c: _far_cell(c, "XFD1048576"),
    "far-cell-A1048576": lambda c: _far_cell(c, "A1048576"),
    "808k-empty-rows": _empty_rows,
    "750k-shared-strings": _shared_strings,
}


REFUSED = re.compile("入力用の範囲を大きく超えるセル|展開後のサイズが大きすぎる")
