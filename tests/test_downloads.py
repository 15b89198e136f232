"""Every file the site hands out (.xlsx and CSV) comes through kpis.excel.workbook: one header
style, one Content-Disposition with the Japanese file name (RFC 5987) and an ASCII fallback,
never cached. Also the two contents the shared module brought: 評価の方法 in the dashboard export
and the review pack's 中間目標 column."""

import html
import re
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from kpis.evaluation import method, timelines
from kpis.excel import workbook as book
from kpis.models import Actual, Indicator
from tests.revision_helpers import raise_target

pytestmark = pytest.mark.django_db
S = "/strategies/nemuro-2"


@pytest.fixture
def downloads(strategy, fisheries, dave):
    """(url, file name, content type, header row or None for CSV) of every download."""
    Indicator.objects.filter(code="1-ア-1-1").update(department=fisheries)
    raise_target(strategy, dave)  # 第2版, so that two revisions can be compared
    xlsx = book.XLSX
    return {
        "entry template": (
            f"{S}/excel/template/2022/{fisheries.pk}/",
            "実績値入力_2022年度_水産振興課.xlsx",
            xlsx,
            3,
        ),
        "actuals xlsx": (f"{S}/excel/export.xlsx?year=2022", "実績値_2022_nemuro-2.xlsx", xlsx, 1),
        "actuals csv": (f"{S}/excel/export.csv", "実績値_全年度_nemuro-2.csv", book.CSV, None),
        "dashboard": (
            f"{S}/dashboard/?year=2022&format=xlsx",
            "指標一覧_nemuro-2_2022年度.xlsx",
            xlsx,
            1,
        ),
        "review pack": (
            f"{S}/council/review/2022/xlsx/",
            "効果検証資料_nemuro-2_2022年度.xlsx",
            xlsx,
            4,
        ),
        "revision comparison": (
            f"{S}/revisions/compare/xlsx/?from=1&to=2",
            "改訂の比較_nemuro-2_1-2.xlsx",
            xlsx,
            6,
        ),
        "population template": (
            f"{S}/population/template.xlsx",
            "人口実績テンプレート_nemuro-2.xlsx",
            xlsx,
            1,
        ),
        # administrators only (the others are the secretariat's too)
        "strategy workbook": (f"{S}/revisions/workbook.xlsx", "nemuro-2_総合戦略.xlsx", xlsx, None),
        "strategy template": (
            f"{S}/revisions/workbook/template.xlsx",
            "総合戦略_空のテンプレート.xlsx",
            xlsx,
            None,
        ),
    }


KINDS = [
    "entry template",
    "actuals xlsx",
    "actuals csv",
    "dashboard",
    "review pack",
    "revision comparison",
    "population template",
    "strategy workbook",
    "strategy template",
]


@pytest.mark.parametrize("kind", KINDS)
def test_it_names_every_download_in_japanese_with_an_ascii_fallback(
    client, downloads, bob, dave, kind
):
    url, filename, content_type, _ = downloads[kind]
    client.force_login(dave if kind.startswith("strategy") else bob)
    r = client.get(url)
    assert r.status_code == 200, (kind, r.content[:300])
    assert r["Content-Type"] == content_type
    disposition = r["Content-Disposition"]
    assert disposition.startswith('attachment; filename="'), disposition
    assert disposition.endswith(f"; filename*=UTF-8''{quote(filename, safe='')}"), disposition
    fallback = disposition.split('"')[1]
    assert fallback.isascii() and fallback.endswith(filename.rpartition(".")[2])
    # what the name has in ASCII stays (a name without any is "download.xlsx")
    ascii_part = re.sub(r"[^A-Za-z0-9]", "", filename.rpartition(".")[0])
    assert ascii_part == re.sub(r"[^A-Za-z0-9]", "", fallback.rpartition(".")[0]) or (
        not ascii_part and fallback.startswith("download.")
    )
    assert r["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "actuals csv" and "strategy" not in k])
def test_every_workbook_has_the_shared_header_style(client, downloads, bob, kind):
    url, _, _, header_row = downloads[kind]
    client.force_login(bob)
    sheet = load_workbook(BytesIO(client.get(url).content)).worksheets[0]
    headers = [c for c in sheet[header_row] if c.value is not None]
    assert len(headers) >= 8, [c.value for c in headers]
    for cell in headers:
        assert cell.fill.fgColor.rgb == book.HEADER_FILL.fgColor.rgb, (kind, cell.coordinate)
        assert cell.fill.fill_type == "solid"
        assert cell.font.b is True
        assert cell.alignment.wrap_text is True


def test_the_file_name_can_carry_neither_a_header_nor_a_path():
    value = book.content_disposition('水産\r\nSet-Cookie: x=1";a=".exe/../課.xlsx')
    assert "\r" not in value and "\n" not in value
    fallback, encoded = value.split('"')[1], value.split("filename*=UTF-8''")[1]
    assert fallback == "Set-Cookie_x_1_a_.exe.xlsx"
    assert '"' not in encoded and "/" not in encoded and ";" not in encoded
    assert book.content_disposition("年度.xlsx") == (
        "attachment; filename=\"download.xlsx\"; filename*=UTF-8''%E5%B9%B4%E5%BA%A6.xlsx"
    )


def test_the_dashboard_export_explains_the_method_as_the_page_does(client, strategy, charlie):
    client.force_login(charlie)
    page = client.get(f"{S}/dashboard/?year=2022").content.decode()
    workbook = load_workbook(BytesIO(client.get(f"{S}/dashboard/?year=2022&format=xlsx").content))
    assert workbook.sheetnames == ["指標一覧", "条件", "評価の方法"]
    sheet = workbook["評価の方法"]
    explained = method(strategy)
    rows = [(r[0], r[1]) for r in sheet.iter_rows(min_row=4, max_col=2, values_only=True)]
    assert rows == list(explained.paragraphs)
    assert sheet["A2"].value == f"評価の区分：{explained.legend}"
    for heading, text in rows:  # the page shows the very same text
        assert f"<dt>{html.escape(heading)}</dt><dd>{html.escape(text)}</dd>" in page


def test_the_review_pack_shows_the_read_models_interim_target(client, strategy, charlie):
    indicator = Indicator.objects.get(code="1-ア-1-1")
    Actual.objects.create(
        indicator=indicator,
        fiscal_year=2022,
        value=Decimal("25100"),
        status=Actual.Status.CONFIRMED,
    )
    client.force_login(charlie)
    r = client.get(f"{S}/council/review/2022/xlsx/")
    sheet = load_workbook(BytesIO(r.content))["基本目標1"]
    header = {c.value: c.column for c in sheet[4]}
    column = header["中間目標（2022年度）"]
    assert column == header["評価値"] - 1  # beside the value it is judged against
    year = timelines(strategy, [indicator], [2022], reader=charlie)[0].at(2022)
    assert year.interim is not None
    cell = next(
        sheet.cell(row=row[0].row, column=column)
        for row in sheet.iter_rows(min_row=5)
        if row[1].value == indicator.name
    )
    assert Decimal(str(cell.value)) == year.interim
    assert cell.number_format == book.fixed_format(indicator.decimals)  # as the page rounds it
    page = client.get(f"{S}/council/review/2022/").content.decode()
    assert year.interim_text in page
