"""Upload bombs (issue 14): small files whose sheets claim a huge extent. Each is refused with a
Japanese message by its real extent (kpis.excel.reader.check_extent) before openpyxl iterates,
within a bounded time and memory, and nothing is stored. The numbers are printed (-s) so the
report can quote them; the bounds asserted are generous (a busy 2-core machine)."""

import io
import re
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from kpis.models import Actual
from population.importers import template_workbook
from population.models import PopulationFigure
from tests.security.conftest import OPEN_YEAR

pytestmark = pytest.mark.django_db
CODE = "nemuro-2"
MAX_SECONDS = 3.0
MAX_PEAK_MB = 64
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))[-800:]


def _measure(post):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        response = post()
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    return response, seconds, peak


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_an_entry_template_bomb_is_refused_quickly(client, world, bomb):
    client.force_login(world["users"]["alice"])
    args = [CODE, OPEN_YEAR, world["fisheries"].pk]
    template = client.get(reverse("excel_template", args=args)).content
    content = BOMBS[bomb](template)
    assert len(content) <= 2 * 1024 * 1024, len(content)
    before = Actual.objects.count(), Actual.history.count()
    upload = SimpleUploadedFile("入力済み.xlsx", content, content_type=XLSX)
    response, seconds, peak = _measure(
        lambda: client.post(reverse("excel_import", args=args), {"preview": "1", "file": upload})
    )
    print(f"\nentry {bomb}: {len(content) / 1024:.1f} KB, {seconds:.2f} s, peak {peak:.1f} MB")
    assert response.status_code == 200
    assert REFUSED.search(response.content.decode()), _text(response)
    assert 'name="token"' not in response.content.decode()
    assert (Actual.objects.count(), Actual.history.count()) == before
    assert seconds < MAX_SECONDS and peak < MAX_PEAK_MB, (seconds, peak)


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_a_population_workbook_bomb_is_refused_quickly(client, world, bomb):
    client.force_login(world["users"]["bob"])
    content = BOMBS[bomb](template_workbook())
    before = PopulationFigure.objects.count()
    upload = SimpleUploadedFile("population.xlsx", content)
    url = reverse("population_upload", args=[CODE])
    response, seconds, peak = _measure(lambda: client.post(url, {"file": upload}))
    print(f"\npopulation {bomb}: {len(content) / 1024:.1f} KB, {seconds:.2f} s, peak {peak:.1f} MB")
    assert response.status_code == 200
    assert REFUSED.search(response.content.decode()), _text(response)
    assert PopulationFigure.objects.count() == before
    assert seconds < MAX_SECONDS and peak < MAX_PEAK_MB, (seconds, peak)
