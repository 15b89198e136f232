"""Fuzzing the parsers that read what people type or upload (hypothesis, bounded examples).

- kpis.numbers.parse_number: any text gives None (blank), a finite Decimal, or NumberParseError
  with a Japanese message naming the field; nothing else.
- The Excel importer: a real entry template (kpis/excel/template.py) with random cell contents
  and types in its input columns (and sometimes a damaged key) goes through the same steps as the
  import view (check_upload, read_workbook, check_template, extract_inputs, plan, commit). It either
  succeeds or reports Japanese issues; it never raises anything else. A commit is rolled back.
- The population upload reader: random CSV text gives rows and Japanese row errors, or a Japanese
  UploadRefused.
"""

import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from kpis.excel import importer, layout
from kpis.excel.reader import UploadRefused, check_upload, read_workbook
from kpis.excel.template import build_template, template_rows
from kpis.models import Actual, Indicator
from kpis.numbers import NumberParseError, parse_number
from population.importers import HEADERS as POPULATION_HEADERS
from population.importers import UploadRefused as PopulationRefused
from population.importers import read_upload

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CODES = ["1-ア-1-1", "1-ア-1-2", "1-ア-1-3", "1-ア-1-4"]


# --- parse_number ----------------------------------------------------------------------------

NUMBERISH = "0123456789０１２３４５６７８９,，.．▲△−-－+ 　人件t%％億円万eEnaifx_²①١"
UNITS = ["", "人", "t", "%", "億円", "店舗", "ポイント"]


def _check_parse(text, unit):
    try:
        result = parse_number(text, field="実績値", unit=unit)
    except NumberParseError as e:
        assert e.message.startswith("実績値：") and JAPANESE.search(e.message)
        assert e.field == "実績値"
    else:
        assert result is None or (isinstance(result, Decimal) and result.is_finite())
        if result is not None:
            assert not (result.is_zero() and result.is_signed())  # never '-0'


@FUZZ
@given(text=st.text(max_size=60), unit=st.sampled_from(UNITS))
def test_parse_number_takes_any_text(text, unit):
    _check_parse(text, unit)


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=NUMBERISH, max_size=40), unit=st.sampled_from(UNITS))
def test_parse_number_takes_any_number_like_text(text, unit):
    _check_parse(text, unit)


@pytest.mark.parametrize(
    "text", ["NaN", "sNaN", "Infinity", "-Infinity", "1e309", "-0", "1e5", "9" * 31, "\x00", "٣"]
)
def test_parse_number_special_spellings(text):
    _check_parse(text, "")


# --- the Excel importer ------------------------------------------------------------------------

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40).map(
    lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)
)
CELLS = st.one_of(
    st.none(),
    _text,
    st.sampled_from(
        [
            "=1+1",
            '=HYPERLINK("http://evil.example","x")',
            "@SUM(A1)",
            "+1",
            "▲12",
            "２７，７００",
            "27,700t",
            "測定不能",
            "確認済み",
            "NaN",
            "1e309",
            "２０２０年",
            " ",
            "\u3000",
            "<script>alert(1)</script>",
            "'; DROP TABLE kpis_actual; --",
        ]
    ),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-(10**15), max_value=10**15, allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.times(),
)
ROW = st.fixed_dictionaries({}, optional={h: CELLS for h in layout.INPUT_HEADERS})
KEY = st.one_of(st.none(), st.none(), st.none(), _text)  # mostly the template's own key


@pytest.fixture
def template(strategy, fisheries, alice):
    Indicator.objects.filter(code__in=CODES).update(department=fisheries)
    Actual.objects.create(
        indicator=Indicator.objects.get(code="1-ア-1-1"), fiscal_year=2021, value=Decimal(25000)
    )
    where = {"strategy": strategy, "fiscal_year": 2022, "department": fisheries}
    rows = template_rows(**where, user=alice)
    return where, build_template(**where, rows=rows)


def _filled(content, rows, keys):
    wb = load_workbook(io.BytesIO(content))
    ws = wb[layout.DATA_SHEET]
    columns = {c.value: c.column for c in ws[layout.HEADER_ROW] if c.value}
    for offset, (cells, key) in enumerate(zip(rows, keys, strict=True)):
        r = layout.FIRST_DATA_ROW + offset
        for header, value in cells.items():
            ws.cell(r, columns[header]).value = value
        if key is not None:
            ws.cell(r, columns[layout.KEY]).value = key
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _japanese(issues):
    for issue in issues:
        assert JAPANESE.search(issue.message), issue


def _import(where, user, data):
    """The import view's steps, in order; returns what the clerk would be shown."""
    try:
        check_upload(name="入力.xlsx", content_type="", size=len(data), data=data)
        sheet = read_workbook(data)
    except UploadRefused as e:
        assert JAPANESE.search(e.message)
        return "refused"
    issues = importer.check_template(sheet, **where)
    assert not issues  # the metadata and the headers are the template's own
    inputs, issues = importer.extract_inputs(sheet)
    if issues:
        _japanese(issues)
        return "issues"
    plan = importer.plan(**where, user=user, inputs=inputs)
    if not plan.ok:
        _japanese(plan.issues)
        return "issues"
    with transaction.atomic():
        try:
            saved = importer.commit(**where, user=user, inputs=inputs, filename="入力.xlsx")
        except importer.ImportRejected as e:
            _japanese(e.issues)
            return "rejected"
        finally:
            transaction.set_rollback(True)
    assert saved == len(plan.changes)
    return "saved"


@pytest.mark.django_db
@FUZZ
@given(rows=st.lists(ROW, min_size=4, max_size=4), keys=st.lists(KEY, min_size=4, max_size=4))
def test_the_importer_succeeds_or_explains_in_japanese(template, alice, rows, keys):
    where, content = template
    before = Actual.objects.count()
    assert _import(where, alice, _filled(content, rows, keys)) in {
        "refused",
        "issues",
        "rejected",
        "saved",
    }
    assert Actual.objects.count() == before  # every commit was rolled back


@pytest.mark.django_db
def test_the_importer_saves_a_plain_fuzz_like_row(template, alice):
    """The harness itself can reach 'saved' (else the property above would prove little)."""
    where, content = template
    rows = [{layout.VALUE: "２７，７００"}, {layout.VALUE: 3}, {}, {layout.VALUE: "測定不能"}]
    rows[3][layout.REASON] = "調査が中止されたため"
    assert _import(where, alice, _filled(content, rows, [None] * 4)) == "saved"


# --- the population upload (CSV) ---------------------------------------------------------------

FIELD = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=15),
    st.sampled_from(["2020", "２０２０", "国勢調査", "住民基本台帳", "24,512", "1.53", "=1+1", ""]),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
)


def _csv(rows):
    def quoted(v):
        return '"' + v.replace('"', '""') + '"'

    lines = [",".join(POPULATION_HEADERS)] + [",".join(quoted(v) for v in row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


@FUZZ
@given(
    rows=st.lists(st.lists(FIELD, min_size=0, max_size=9), max_size=5),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp932"]),
)
def test_the_population_reader_succeeds_or_explains_in_japanese(rows, encoding):
    try:
        data = _csv(rows).encode(encoding)
    except UnicodeEncodeError:
        data = _csv(rows).encode("utf-8")
    try:
        result = read_upload(SimpleUploadedFile("人口.csv", data))
    except PopulationRefused as e:
        assert JAPANESE.search(e.message)
        return
    for message in result.errors:
        assert JAPANESE.search(message), message
    for figures in result.rows:
        assert all(v.is_finite() for v in figures.values.values())
