"""kpis.excel.reader._merged_ranges: merged ranges found in the data sheet's XML without a second
parse. Files are built by hand, as a hostile or unusual uploader would."""

import threading
import zipfile
from io import BytesIO

from kpis.excel.reader import _merged_ranges

SHEET = "xl/worksheets/sheet1.xml"


def _xlsx(sheet_xml: bytes) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(SHEET, sheet_xml)
    return out.getvalue()


def _sheet(merge_cells: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData/>{merge_cells}</worksheet>"
    ).encode()


def test_it_finds_the_ranges_excel_writes():
    xml = _sheet(
        '<mergeCells count="2"><mergeCell ref="E5:F5"/><mergeCell ref="A9:A12"/></mergeCells>'
    )
    assert _merged_ranges(_xlsx(xml), SHEET) == ["E5:F5", "A9:A12"]


def test_it_reads_prefixed_tags_single_quotes_and_character_references():
    xml = _sheet("<x:mergeCell ref='E5:F5'/><mergeCell ref=\"&#69;6:F6\"/>")
    assert _merged_ranges(_xlsx(xml), SHEET) == ["E5:F5", "E6:F6"]


def test_a_decoy_attribute_does_not_hide_the_ref():
    xml = _sheet('<mergeCell x-ref="Z9:Z9" ref="A5:B5"/>')
    assert _merged_ranges(_xlsx(xml), SHEET) == ["A5:B5"]


def test_it_reads_a_utf16_sheet():
    xml = _sheet('<mergeCell ref="A5:B5"/>').replace(b'encoding="UTF-8"', b'encoding="UTF-16"')
    assert _merged_ranges(_xlsx(xml.decode().encode("utf-16")), SHEET) == ["A5:B5"]


def test_it_ignores_a_sheet_without_merged_cells_and_a_missing_path():
    assert _merged_ranges(_xlsx(_sheet("")), SHEET) == []
    assert _merged_ranges(_xlsx(_sheet("")), None) == []


def test_unclosed_tags_take_linear_time():
    # 2 MB of '<mergeCell ' without '>' (inside a comment, which is valid XML). A backtracking
    # pattern took 2.4 s for 8,000 repetitions and grew with the square; this is 200,000.
    xml = _sheet("<!--" + "<mergeCell " * 200_000 + "-->")
    result = []
    worker = threading.Thread(
        target=lambda: result.append(_merged_ranges(_xlsx(xml), SHEET)), daemon=True
    )
    worker.start()
    worker.join(timeout=20)  # generous: linear is well under a second, quadratic is hours
    assert not worker.is_alive(), "the merged-cell scan did not finish: quadratic again"
    assert result == [[]]
