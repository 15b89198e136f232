"""GET/POST /strategies/<code>/excel/import/<fiscal_year>/<department_id>/: upload a filled entry
template, see the dry-run preview, commit it in one transaction. Real .xlsx files, real HTTP."""

import re
import zipfile
from datetime import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from front.loading import load_strategy
from kpis import services
from kpis.excel import layout
from kpis.excel.views import PENDING
from kpis.models import Actual, Indicator, WorkflowEvent

pytestmark = pytest.mark.django_db

CODES = ["1-ア-1-1", "1-ア-1-2", "1-ア-1-3", "1-ア-1-4"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
V, REASON, YEAR, SOURCE, NOTE, CONFIRM = layout.INPUT_HEADERS


# --- helpers: the clerk's side, with openpyxl ---------------------------------------------------


def url(year, department):
    return reverse("excel_import", args=["nemuro-2", year, department.pk])


def download(client, year, department):
    r = client.get(reverse("excel_template", args=["nemuro-2", year, department.pk]))
    assert r.status_code == 200
    return load_workbook(BytesIO(r.content))


def columns(ws):
    return {c.value: c.column for c in ws[layout.HEADER_ROW] if c.value}


def row_of(ws, code):
    key = layout.indicator_key("nemuro-2", code)
    for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(r, 1).value == key:
            return r
    raise AssertionError(f"no row for {code}")


def fill(wb, values):
    """values: {indicator code: {header: cell value}}."""
    ws = wb[layout.DATA_SHEET]
    col = columns(ws)
    for code, cells in values.items():
        for header, value in cells.items():
            ws.cell(row_of(ws, code), col[header]).value = value
    return wb


def xlsx(wb):
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, year, department, content, name="入力済み.xlsx", content_type=XLSX):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(url(year, department), {"preview": "1", "file": file})


def commit(client, year, department, token):
    return client.post(url(year, department), {"commit": "1", "token": token})


def snapshot():
    """Everything an import may write: actuals (with versions), audit trail, workflow events."""
    return (
        list(Actual.objects.order_by("pk").values_list("pk", "version", "value", "note")),
        Actual.history.count(),
        WorkflowEvent.objects.count(),
    )


def body(response):
    return response.content.decode()


@pytest.fixture
def assigned(strategy, fisheries):
    Indicator.objects.filter(code__in=CODES).update(department=fisheries)
    return {i.code: i for i in Indicator.objects.filter(code__in=[*CODES, "2-N3"])}


@pytest.fixture
def filled(client, alice, assigned, fisheries):
    """alice's 2022 template with a valid value in every row."""
    client.force_login(alice)
    return fill(
        download(client, 2022, fisheries),
        {"1-ア-1-1": {V: 25000}, "1-ア-1-2": {V: 3}, "1-ア-1-3": {V: 4}, "1-ア-1-4": {V: 260}},
    )


# --- the round trip ----------------------------------------------------------------------------


def test_it_round_trips_a_filled_template(client, alice, bob, assigned, fisheries):
    Indicator.objects.filter(code="2-N3").update(department=fisheries)
    Actual.objects.create(
        indicator=assigned["1-ア-1-1"], fiscal_year=2021, value=27000, updated_by=bob
    )
    client.force_login(alice)
    wb = fill(
        download(client, 2022, fisheries),
        {
            "1-ア-1-1": {
                V: "２７，７００",
                YEAR: "２０２１",
                SOURCE: "北海道水産現勢",
                NOTE: "前年並み",
            },
            "1-ア-1-2": {V: "測定不能", REASON: "調査を実施しなかったため"},
            "1-ア-1-3": {V: 12},
            # 1-ア-1-4 left blank: not imported
            # 合計特殊出生率 has no unit, so nothing forbids a negative figure: ▲ reads as minus.
            # Far from the 1.67 baseline (no FY2021 figure): the first year is checked too.
            "2-N3": {V: "▲0.05", CONFIRM: "確認済み", NOTE: "試算値"},
        },
    )
    before = snapshot()

    r = upload(client, 2022, fisheries, xlsx(wb))
    assert r.status_code == 200
    assert snapshot() == before  # the preview writes nothing
    page = body(r)
    assert "取込内容の確認" in page
    assert "27,700t" in page and "測定不能" in page and "▲0.05" in page
    assert "未入力（取り込みません）" in page
    token = r.context["token"]

    r = commit(client, 2022, fisheries, token)
    assert r.status_code == 302
    assert "4件の実績値を下書きとして取り込みました" in body(client.get(r["Location"]))

    a = Actual.objects.get(indicator__code="1-ア-1-1", fiscal_year=2022)
    assert (a.value, a.data_year, a.data_source, a.note) == (
        27700,
        2021,
        "北海道水産現勢",
        "前年並み",
    )
    assert (a.status, a.version, a.updated_by) == (Actual.Status.DRAFT, 1, alice)
    nm = Actual.objects.get(indicator__code="1-ア-1-2", fiscal_year=2022)
    assert nm.not_measurable and nm.value is None
    assert nm.not_measurable_reason == "調査を実施しなかったため"
    assert Actual.objects.get(indicator__code="1-ア-1-3", fiscal_year=2022).value == 12
    assert Actual.objects.get(indicator__code="2-N3", fiscal_year=2022).value == Decimal("-0.05")
    assert not Actual.objects.filter(indicator__code="1-ア-1-4", fiscal_year=2022).exists()

    events = WorkflowEvent.objects.filter(action=WorkflowEvent.Action.IMPORT, fiscal_year=2022)
    assert events.count() == 4
    assert {e.actor for e in events} == {alice}
    history = Actual.history.filter(fiscal_year=2022)
    assert history.count() == 4
    assert {h.history_change_reason for h in history} == {"Excel取込（入力済み.xlsx）"}
    assert {h.history_user for h in history} == {alice}

    # The template now comes prefilled; uploading it again changes nothing.
    again = download(client, 2022, fisheries)
    before = snapshot()
    r = upload(client, 2022, fisheries, xlsx(again))
    outcomes = [row.outcome for row in r.context["plan"].rows]
    assert outcomes == ["unchanged", "unchanged", "unchanged", "blank", "unchanged"]
    r = commit(client, 2022, fisheries, r.context["token"])
    assert r.status_code == 302
    assert snapshot() == before


def test_it_updates_an_existing_actual_with_the_version_read_in_the_transaction(
    client, alice, assigned, fisheries
):
    a = Actual.objects.create(indicator=assigned["1-ア-1-3"], fiscal_year=2022, value=5, version=3)
    client.force_login(alice)
    wb = fill(download(client, 2022, fisheries), {"1-ア-1-3": {V: 6, NOTE: "増加"}})
    r = upload(client, 2022, fisheries, xlsx(wb))
    assert [row.outcome for row in r.context["plan"].rows] == ["blank", "blank", "update", "blank"]
    assert "5人" in body(r) and "6人" in body(r)
    # Someone saves from the entry form between the preview and the commit: the import still
    # applies (version read inside the transaction), on top of version 4.
    Actual.objects.filter(pk=a.pk).update(version=4)
    assert commit(client, 2022, fisheries, r.context["token"]).status_code == 302
    a.refresh_from_db()
    assert (a.value, a.note, a.version) == (6, "増加", 5)
    assert a.events.get().action == WorkflowEvent.Action.IMPORT
    # The bulk write keeps the audit trail of a one-by-one save: the new value, who, why, when.
    h = a.history.first()
    assert (h.value, h.version, h.history_user, h.history_type) == (6, 5, alice, "~")
    assert h.history_change_reason == "Excel取込（入力済み.xlsx）"
    assert a.updated_at == h.history_date and a.updated_by == alice


def test_it_saves_nothing_when_another_screen_makes_a_first_save_during_the_write(
    alice, bob, assigned, strategy
):
    from kpis.entry.rules import EntryValues

    values = EntryValues(Decimal(7), False, "", None, "", "", False)
    # Planned while 1-ア-1-3 had no actual; bob's entry form saves one before the bulk write.
    Actual.objects.create(indicator=assigned["1-ア-1-3"], fiscal_year=2022, value=5, updated_by=bob)
    before = snapshot()
    with pytest.raises(services.StaleEdit, match="別の画面から入力されました"):
        services.save_actuals_in_bulk(
            strategy=strategy,
            fiscal_year=2022,
            user=alice,
            changes=[(assigned[c], None, values) for c in ("1-ア-1-2", "1-ア-1-3")],
            reason="Excel取込",
        )
    assert snapshot() == before


def test_it_needs_a_confirmation_and_a_note_for_a_big_change(
    client, alice, bob, assigned, fisheries
):
    Actual.objects.create(
        indicator=assigned["1-ア-1-1"], fiscal_year=2021, value=10000, updated_by=bob
    )
    client.force_login(alice)
    wb = fill(download(client, 2022, fisheries), {"1-ア-1-1": {V: "27,700"}})
    before = snapshot()
    r = upload(client, 2022, fisheries, xlsx(wb))
    columns_with_errors = {i.column for i in r.context["issues"]}
    assert columns_with_errors == {"大きな変化を確認", "要因分析・課題・今後の方向性"}
    assert "token" not in r.context
    assert snapshot() == before

    wb = fill(wb, {"1-ア-1-1": {CONFIRM: "確認済み", NOTE: "サンマ漁の回復"}})
    r = upload(client, 2022, fisheries, xlsx(wb))
    assert r.context["issues"] == []
    commit(client, 2022, fisheries, r.context["token"])
    a = Actual.objects.get(indicator__code="1-ア-1-1", fiscal_year=2022)
    assert a.outlier_confirmed and a.value == 27700


# --- the preview: every row's value or its error -----------------------------------------------


def test_it_previews_row_column_and_reason_and_offers_no_commit(client, alice, assigned, fisheries):
    client.force_login(alice)
    wb = fill(
        download(client, 2022, fisheries),
        {
            "1-ア-1-1": {V: 27700},
            "1-ア-1-2": {V: "abc"},
            "1-ア-1-3": {V: "測定不能"},  # no reason
            "1-ア-1-4": {V: 260, YEAR: "令和3", CONFIRM: "はい"},
        },
    )
    before = snapshot()
    r = upload(client, 2022, fisheries, xlsx(wb))
    assert r.status_code == 200
    issues = {(i.row, i.column) for i in r.context["issues"]}
    assert issues == {
        (5, "実績値"),
        (6, "測定不能の理由"),
        (7, "データの対象年"),
        (7, "大きな変化を確認"),
    }
    page = body(r)
    assert 'role="alert"' in page
    assert "5行目" in page and "6行目" in page and "7行目" in page
    assert "「新規農林業就業者数」の実績値：「abc」は数値として読み取れません" in page
    assert "「新規狩猟免許取得者数」：測定不能の理由を入力してください。" in page
    assert "西暦4桁の数字で入力してください" in page
    assert "「確認済み」を選ぶか空欄にしてください" in page
    assert "27,700t" in page  # the good row is shown with its parsed value
    assert 'name="commit"' not in page
    assert PENDING not in client.session
    assert snapshot() == before


def test_it_rejects_a_reason_without_not_measurable_and_a_negative_count(
    client, alice, assigned, fisheries
):
    client.force_login(alice)
    wb = fill(
        download(client, 2022, fisheries),
        {"1-ア-1-1": {V: "▲12"}, "1-ア-1-2": {V: 3, REASON: "理由"}},
    )
    r = upload(client, 2022, fisheries, xlsx(wb))
    messages = [i.message for i in r.context["issues"]]
    assert any("0以上の値を入力してください" in m for m in messages)
    assert any("測定不能の理由は、実績値を「測定不能」とする場合だけ" in m for m in messages)


def test_it_rejects_a_clerks_change_to_a_confirmed_value_but_lets_the_secretariat(
    client, alice, bob, assigned, fisheries
):
    Actual.objects.create(
        indicator=assigned["1-ア-1-2"],
        fiscal_year=2022,
        value=2,
        status="confirmed",
        updated_by=bob,
    )
    client.force_login(alice)
    wb = fill(download(client, 2022, fisheries), {"1-ア-1-2": {V: 9}})
    r = upload(client, 2022, fisheries, xlsx(wb))
    assert [i.message for i in r.context["issues"]] == [
        "「新規農林業就業者数」は確認済みです。変更は事務局に依頼してください。"
    ]
    client.force_login(bob)
    r = upload(client, 2022, fisheries, xlsx(wb))
    commit(client, 2022, fisheries, r.context["token"])
    a = Actual.objects.get(indicator__code="1-ア-1-2", fiscal_year=2022)
    # Changed, it is a draft again (as a 下書き保存): confirmed through the workflow, not by saving.
    assert (a.value, a.status, a.confirmed_by) == (9, Actual.Status.DRAFT, None)


# --- all or nothing ----------------------------------------------------------------------------


@pytest.fixture
def loaded():
    """A committed test may follow another one's flush, which empties the strategy's tables."""
    load_strategy()


@pytest.fixture
def fail_updates_of():
    """The trigger outlives a committed test (a flush empties tables only): dropped afterwards."""
    yield _fail_updates_of
    with connection.cursor() as c:
        c.execute(
            "DROP TRIGGER IF EXISTS fail_this_update"
            + (" ON kpis_actual" if connection.vendor == "postgresql" else "")
        )
        if connection.vendor == "postgresql":
            c.execute("DROP FUNCTION IF EXISTS fail_this_update()")


def _fail_updates_of(actual):
    """A real trigger in the database: any UPDATE of this actual's row fails. The bulk writer
    inserts the new rows first (their inner transaction released) and updates after, so the
    failure lands after rows were written: only the commit's own transaction can undo them."""
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute(
                "CREATE FUNCTION fail_this_update() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$"
            )
            c.execute(
                "CREATE TRIGGER fail_this_update BEFORE UPDATE ON kpis_actual FOR EACH ROW "
                f"WHEN (OLD.id = {int(actual.pk)}) EXECUTE FUNCTION fail_this_update()"
            )
        else:
            c.execute(
                "CREATE TRIGGER fail_this_update BEFORE UPDATE ON kpis_actual FOR EACH ROW "
                f"WHEN OLD.id = {int(actual.pk)} BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            )


# Committed for real (no test transaction around it): what the commit leaves is what stays.
@pytest.mark.django_db(transaction=True)
def test_it_rolls_back_every_row_when_a_row_in_the_middle_fails_at_commit(
    loaded, client, alice, filled, assigned, fisheries, fail_updates_of
):
    middle = Actual.objects.create(
        indicator=assigned["1-ア-1-3"], fiscal_year=2022, value=1, updated_by=alice
    )
    client.force_login(alice)
    r = upload(client, 2022, fisheries, xlsx(filled))
    assert r.context["issues"] == []
    token = r.context["token"]
    fail_updates_of(middle)
    before = snapshot()

    client.raise_request_exception = False
    with CaptureQueriesContext(connection) as queries:
        r = commit(client, 2022, fisheries, token)
    assert r.status_code == 500
    sql = [q["sql"] for q in queries.captured_queries]
    first_update = next(n for n, q in enumerate(sql) if q.startswith('UPDATE "kpis_actual"'))
    # The rows 4, 5, 7 were inserted (and their history) before row 6's update failed …
    assert any(q.startswith('INSERT INTO "kpis_actual"') for q in sql[:first_update])
    # … and the commit's transaction took them back: nothing stays.
    assert snapshot() == before
    assert list(Actual.objects.filter(fiscal_year=2022)) == [middle]


def test_it_rejects_every_row_when_a_row_was_confirmed_between_preview_and_commit(
    client, alice, bob, filled, assigned, fisheries, strategy
):
    middle = Actual.objects.create(
        indicator=assigned["1-ア-1-3"],
        fiscal_year=2022,
        value=1,
        status="submitted",
        updated_by=alice,
    )
    r = upload(client, 2022, fisheries, xlsx(filled))
    assert r.context["issues"] == []
    token = r.context["token"]
    # Between the preview and the commit the secretariat confirms the third row's value.
    services.confirm_actuals(strategy=strategy, fiscal_year=2022, actual_ids=[middle.pk], user=bob)
    before = snapshot()

    r = commit(client, 2022, fisheries, token)
    assert r.status_code == 200
    page = body(r)
    assert "取り込めませんでした。データは変更されていません" in page
    assert "6行目" in page and "確認済みです" in page
    # Checked again under lock at the commit, row 6 fails: no row is written, not even 4, 5, 7.
    assert snapshot() == before
    assert list(Actual.objects.filter(fiscal_year=2022)) == [middle]
    assert PENDING not in client.session  # the clerk uploads the corrected file again


def test_it_refuses_a_commit_without_a_matching_preview(client, alice, filled, fisheries):
    before = snapshot()
    r = commit(client, 2022, fisheries, "forged-token")
    assert "確認済みの取込データが見つかりません" in body(r)
    r = upload(client, 2022, fisheries, xlsx(filled))
    token = r.context["token"]
    r = commit(client, 2022, fisheries, token + "x")
    assert "確認済みの取込データが見つかりません" in body(r)
    r = commit(client, 2022, fisheries, token)  # the pending rows were dropped with the bad try
    assert "確認済みの取込データが見つかりません" in body(r)
    assert snapshot() == before


def test_it_revalidates_at_commit_when_the_year_was_locked_after_the_preview(
    client, alice, bob, filled, fisheries, strategy
):
    r = upload(client, 2022, fisheries, xlsx(filled))
    services.lock_year(strategy=strategy, fiscal_year=2022, user=bob, reason="検証のため")
    before = snapshot()
    r = commit(client, 2022, fisheries, r.context["token"])
    assert "2022年度は有識者会議の検証のためロックされています" in body(r)
    assert snapshot() == before


# --- refusals: nothing changes -----------------------------------------------------------------


def _zip(members: dict) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _with_member(content: bytes, name: str, data: bytes) -> bytes:
    src = zipfile.ZipFile(BytesIO(content))
    return _zip({**{i.filename: src.read(i.filename) for i in src.infolist()}, name: data})


def _set_meta(wb, key, value):
    ws = wb[layout.META_SHEET]
    for row in ws.iter_rows():
        if row[0].value == key:
            row[1].value = value
    return wb


def _plain_workbook_with_our_headers():
    wb = Workbook()
    ws = wb.active
    ws.title = layout.DATA_SHEET
    for c, h in enumerate(layout.headers(2021, 2022), start=1):
        ws.cell(layout.HEADER_ROW, c, h)
    ws.cell(layout.FIRST_DATA_ROW, 1, layout.indicator_key("nemuro-2", "1-ア-1-1"))
    return wb


def _rename_header(wb):
    ws = wb[layout.DATA_SHEET]
    ws.cell(layout.HEADER_ROW, columns(ws)["実績値"]).value = "実績"
    return wb


def _add_row(code, value=1):
    def change(wb):
        ws = wb[layout.DATA_SHEET]
        r = ws.max_row + 1
        ws.cell(r, 1, layout.indicator_key("nemuro-2", code) if code else None)
        ws.cell(r, columns(ws)["実績値"], value)
        return wb

    return change


def _delete_row(code):
    def change(wb):
        ws = wb[layout.DATA_SHEET]
        ws.delete_rows(row_of(ws, code))
        return wb

    return change


def _formula(wb):
    ws = wb[layout.DATA_SHEET]
    ws.cell(row_of(ws, "1-ア-1-2"), columns(ws)["実績値"]).value = "=1+1"
    return wb


def _formula_text(wb):
    ws = wb[layout.DATA_SHEET]
    cell = ws.cell(row_of(ws, "1-ア-1-3"), columns(ws)[NOTE])
    cell.value = "=HYPERLINK(1)"
    cell.data_type = "s"  # stored as text, still starts with '='
    return wb


def _array_formula(wb):
    # Excel 365 saves a dynamic-array formula as t="array": openpyxl reads an ArrayFormula object.
    ws = wb[layout.DATA_SHEET]
    cell = ws.cell(row_of(ws, "1-ア-1-3"), columns(ws)[NOTE])
    cell.value = ArrayFormula(cell.coordinate, "=SEQUENCE(3)")
    return wb


def _merge(wb):
    ws = wb[layout.DATA_SHEET]
    r, col = row_of(ws, "1-ア-1-2"), columns(ws)
    ws.merge_cells(start_row=r, start_column=col[V], end_row=r, end_column=col[REASON])
    return wb


def _far_row(wb):
    wb[layout.DATA_SHEET].cell(layout.FIRST_DATA_ROW + layout.MAX_DATA_ROWS, 1, "x")
    return wb


def _date(wb):
    ws = wb[layout.DATA_SHEET]
    ws.cell(row_of(ws, "1-ア-1-2"), columns(ws)["実績値"]).value = datetime(2022, 4, 1)
    return wb


REFUSED_WORKBOOKS = {
    "no metadata": (lambda wb: _plain_workbook_with_our_headers(), "入力用シートではありません"),
    "old version": (lambda wb: _set_meta(wb, "version", 0), "古い版の入力用シートです"),
    "other strategy": (lambda wb: _set_meta(wb, "strategy", "nemuro-1"), "別の総合戦略"),
    "renamed header": (
        _rename_header,
        "見出し行が入力用シートと一致しません（見つからない列：実績値）",
    ),
    "unknown key": (_add_row("9-ア-9-9"), "指標キー「nemuro-2/9-ア-9-9」の指標はありません"),
    "other department's indicator": (
        _add_row("1-イ-1-1"),
        "「冬期間における観光客入込数の割合」は水産振興課の担当ではありません",
    ),
    "row without key": (_add_row(""), "指標キーが空欄です"),
    "missing row": (
        _delete_row("1-ア-1-3"),
        "「新規狩猟免許取得者数」（1-ア-1-3）の行がありません",
    ),
    "duplicate row": (_add_row("1-ア-1-1", 5), "4行目と同じ指標の行が重複しています"),
    "formula": (_formula, "数式は使えません"),
    "text starting with =": (_formula_text, "数式は使えません"),
    "array formula": (_array_formula, "数式は使えません"),
    "merged cells": (_merge, "セルが結合されています"),
    "too many rows": (_far_row, "データの行が多すぎます（5,000行まで）"),
    "date instead of a number": (_date, "日付や時刻として入力されています"),
}


@pytest.mark.parametrize("case", REFUSED_WORKBOOKS)
def test_it_refuses_a_wrong_workbook_and_changes_nothing(client, filled, fisheries, case):
    change, message = REFUSED_WORKBOOKS[case]
    before = snapshot()
    r = upload(client, 2022, fisheries, xlsx(change(filled)))
    assert r.status_code == 200
    assert message in body(r)
    assert 'role="alert"' in body(r)
    assert "token" not in r.context
    assert PENDING not in client.session
    assert snapshot() == before


def test_it_reads_rows_beyond_a_forged_sheet_dimension(client, filled, fisheries):
    content = xlsx(_add_row("9-ア-9-9")(filled))
    src = zipfile.ZipFile(BytesIO(content))
    members = {i.filename: src.read(i.filename) for i in src.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    assert b'<dimension ref="A1:' in sheet
    members["xl/worksheets/sheet1.xml"] = re.sub(
        rb'<dimension ref="[^"]+"', b'<dimension ref="A1:A1"', sheet
    )
    r = upload(client, 2022, fisheries, _zip(members))
    assert "指標キー「nemuro-2/9-ア-9-9」の指標はありません" in body(r)


def test_it_refuses_a_later_years_template(client, alice, assigned, fisheries):
    client.force_login(alice)
    wb = fill(download(client, 2023, fisheries), {"1-ア-1-1": {V: 1}})
    before = snapshot()
    r = upload(client, 2022, fisheries, xlsx(wb))
    assert "2023年度の入力用シートです。2022年度の入力用シートをアップロードしてください。" in body(
        r
    )
    assert snapshot() == before


def test_it_imports_last_years_file_into_this_year(client, alice, assigned, fisheries):
    # A clerk keeps last year's workbook (or its macro) and fills it in again for FY2022.
    client.force_login(alice)
    values = {"1-ア-1-1": {V: "24,100"}, "1-ア-1-3": {V: 4}}
    r = upload(client, 2022, fisheries, xlsx(fill(download(client, 2021, fisheries), values)))
    page = body(r)
    assert "取り込めない内容" not in page
    assert "2021年度の入力用シートです。入力された値を<strong>2022年度</strong>の実績" in page
    r = commit(client, 2022, fisheries, r.context["token"])
    assert r.status_code == 302
    stored = dict(Actual.objects.filter(fiscal_year=2022).values_list("indicator__code", "value"))
    assert stored == {"1-ア-1-1": 24100, "1-ア-1-3": 4}
    assert not Actual.objects.filter(fiscal_year=2021).exists()


def test_it_reads_a_version_1_file_with_past_years_before_the_inputs(
    client, alice, assigned, fisheries
):
    # Version 1 put the past years between the target and the inputs (実績値 in column H).
    client.force_login(alice)
    wb = _set_meta(download(client, 2022, fisheries), "version", 1)
    ws = wb[layout.DATA_SHEET]
    ws.insert_cols(7)
    for r in range(layout.HEADER_ROW, ws.max_row + 1):
        ws.cell(r, 7).value, ws.cell(r, 14).value = ws.cell(r, 14).value, None
    assert [c.value for c in ws[layout.HEADER_ROW]][6:8] == ["2021年度 実績", "実績値"]
    r = upload(client, 2022, fisheries, xlsx(fill(wb, {"1-ア-1-3": {V: 4}})))
    assert "取り込めない内容" not in body(r)
    commit(client, 2022, fisheries, r.context["token"])
    assert Actual.objects.get(fiscal_year=2022).value == 4


def test_after_an_import_the_drafts_are_listed_and_can_be_submitted(
    client, alice, assigned, fisheries
):
    client.force_login(alice)
    values = {"1-ア-1-1": {V: "24,100"}, "1-ア-1-3": {V: 4}}
    r = upload(client, 2022, fisheries, xlsx(fill(download(client, 2022, fisheries), values)))
    r = commit(client, 2022, fisheries, r.context["token"])
    page = body(client.get(r["Location"]))
    assert "下書きのままの実績値（2件・未提出）" in page
    assert "24,100t" in page and "2件を提出する" in page
    # The button posts the stored rows, unchanged, to the entry page: its rules, then 提出.
    form = re.search(r'<form method="post" action="([^"]+/entry/[^"]+)">(.*?)</form>', page, re.S)
    data = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    data["action"] = "submit"
    r = client.post(form.group(1), data, follow=True)
    assert "2件の実績値を提出しました" in body(r)
    assert set(Actual.objects.values_list("status", flat=True)) == {"submitted"}
    assert Actual.objects.get(indicator__code="1-ア-1-1").value == 24100
    assert "下書きのままの実績値" not in body(client.get(url(2022, fisheries)))


def test_it_refuses_another_departments_template(client, bob, assigned, fisheries, tourism):
    Indicator.objects.filter(code="1-イ-1-1").update(department=tourism)
    client.force_login(bob)
    wb = fill(download(client, 2022, tourism), {"1-イ-1-1": {V: 20}})
    before = snapshot()
    r = upload(client, 2022, fisheries, xlsx(wb))
    assert (
        "観光振興課の入力用シートです。水産振興課の入力用シートをアップロードしてください。"
        in body(r)
    )
    assert snapshot() == before


def _bomb():
    return _zip(
        {
            "[Content_Types].xml": "<Types/>",
            "xl/workbook.xml": "<workbook/>",
            "xl/worksheets/sheet1.xml": b" " * (25 * 1024 * 1024),  # 25 MB of spaces, ~25 KB zipped
        }
    )


REFUSED_FILES = {
    "csv": (
        lambda x: b"a,b\r\n1,2\r\n",
        "data.csv",
        "text/csv",
        "Excelファイル（.xlsx）ではありません",
    ),
    "text named .xlsx": (
        lambda x: b"hello",
        "入力.xlsx",
        XLSX,
        "Excelファイル（.xlsx）ではありません",
    ),
    "broken zip": (
        lambda x: b"PK\x03\x04" + b"\0" * 100,
        "入力.xlsx",
        XLSX,
        "Excelファイル（.xlsx）ではありません",
    ),
    "legacy xls": (
        lambda x: x,
        "入力.xls",
        "application/vnd.ms-excel",
        "古い形式のExcelファイル（.xls）",
    ),
    "xlsm name": (lambda x: x, "入力.xlsm", XLSX, "マクロを含むファイル"),
    "macro content type": (
        lambda x: x,
        "入力.xlsx",
        "application/vnd.ms-excel.sheet.macroEnabled.12",
        "マクロを含むファイル",
    ),
    "vbaProject.bin inside": (
        lambda x: _with_member(x, "xl/vbaProject.bin", b"\0" * 512),
        "入力.xlsx",
        XLSX,
        "マクロを含むファイル",
    ),
    "over 2 MB": (
        lambda x: x + b"\0" * (2 * 1024 * 1024),
        "入力.xlsx",
        XLSX,
        "ファイルが大きすぎます（2MBまで）",
    ),
    "zip bomb": (lambda x: _bomb(), "入力.xlsx", XLSX, "展開後のサイズが大きすぎる"),
    "not a workbook inside": (
        lambda x: _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<nope"}),
        "入力.xlsx",
        XLSX,
        "ファイルを読み込めませんでした",
    ),
}


@pytest.mark.parametrize("case", REFUSED_FILES)
def test_it_refuses_a_file_that_is_not_a_plain_xlsx_and_changes_nothing(
    client, filled, fisheries, case
):
    make, name, content_type, message = REFUSED_FILES[case]
    before = snapshot()
    r = upload(client, 2022, fisheries, make(xlsx(filled)), name=name, content_type=content_type)
    assert r.status_code == 200
    assert message in body(r)
    assert "token" not in r.context
    assert snapshot() == before


def test_it_asks_for_a_file(client, filled, fisheries):
    r = client.post(url(2022, fisheries), {"preview": "1"})
    assert "ファイルを選択してください" in body(r)
    r = upload(client, 2022, fisheries, b"")
    assert "ファイルが空です" in body(r)


def test_it_refuses_any_import_into_a_locked_year(client, alice, bob, filled, fisheries, strategy):
    services.lock_year(strategy=strategy, fiscal_year=2022, user=bob, reason="検証のため")
    before = snapshot()
    page = body(client.get(url(2022, fisheries)))
    assert "ロックされています" in page
    assert 'type="file"' not in page
    r = upload(client, 2022, fisheries, xlsx(filled))
    assert "2022年度は有識者会議の検証のためロックされています。取込はできません" in body(r)
    assert snapshot() == before


# --- who may import ----------------------------------------------------------------------------


def test_it_redirects_anonymous_users_to_login(client, assigned, fisheries):
    r = client.get(url(2022, fisheries))
    assert r.status_code == 302 and r["Location"].startswith("/login/?next=")
    r = client.post(url(2022, fisheries), {"commit": "1", "token": "x"})
    assert r.status_code == 302 and r["Location"].startswith("/login/?next=")


@pytest.mark.parametrize(
    ("user", "status"),
    [("alice", 200), ("bob", 200), ("dave", 200), ("mallory", 403), ("charlie", 403)],
)
def test_it_shows_the_upload_page_only_to_the_departments_clerks_and_the_secretariat(
    client, assigned, fisheries, user, status, request
):
    client.force_login(request.getfixturevalue(user))
    r = client.get(url(2022, fisheries))
    assert r.status_code == status
    if status == 200:
        page = body(r)
        assert '<label for="id_file">' in page
        assert reverse("excel_template", args=["nemuro-2", 2022, fisheries.pk]) in page


@pytest.mark.parametrize("user", ["mallory", "charlie"])
def test_it_forbids_other_roles_to_upload_or_commit(client, filled, fisheries, user, request):
    content = xlsx(filled)
    client.force_login(request.getfixturevalue(user))
    before = snapshot()
    assert upload(client, 2022, fisheries, content).status_code == 403
    assert commit(client, 2022, fisheries, "x").status_code == 403
    assert snapshot() == before


def test_it_forbids_reusing_a_preview_for_another_department(
    client, bob, filled, fisheries, tourism
):
    client.force_login(bob)
    r = upload(client, 2022, fisheries, xlsx(filled))
    before = snapshot()
    r = commit(client, 2022, tourism, r.context["token"])
    assert "確認済みの取込データが見つかりません" in body(r)
    assert snapshot() == before


def test_it_refuses_unknown_years_and_strategies(client, bob, fisheries):
    client.force_login(bob)
    assert client.get(url(2030, fisheries)).status_code == 404
    assert client.get(reverse("excel_import", args=["nope", 2022, fisheries.pk])).status_code == 404


# --- formulas in stored text (issue 14) ----------------------------------------------------------


def test_a_stored_formula_like_note_comes_back_as_text_and_the_unchanged_template_uploads(
    client, alice, assigned, fisheries
):
    """A note "=HYPERLINK(…)" and a 測定不能 reason "=cmd|…" must not become formula cells in the
    downloaded template, and the template uploaded unchanged is accepted with nothing to change."""
    note, reason = '=HYPERLINK("http://evil.example/?x","click")', "=cmd|' /C calc'!A0"
    Actual.objects.create(indicator=assigned["1-ア-1-1"], fiscal_year=2022, value=25000, note=note)
    Actual.objects.create(
        indicator=assigned["1-ア-1-2"],
        fiscal_year=2022,
        not_measurable=True,
        not_measurable_reason=reason,
    )
    client.force_login(alice)
    r = client.get(reverse("excel_template", args=["nemuro-2", 2022, fisheries.pk]))
    with zipfile.ZipFile(BytesIO(r.content)) as zf:
        sheets = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in sheets and b"<f " not in sheets  # no formula cell at all
    ws = load_workbook(BytesIO(r.content))[layout.DATA_SHEET]
    col = columns(ws)
    assert ws.cell(row_of(ws, "1-ア-1-1"), col[NOTE]).value == "'" + note
    assert ws.cell(row_of(ws, "1-ア-1-2"), col[REASON]).value == "'" + reason
    before = snapshot()
    preview = upload(client, 2022, fisheries, r.content)
    assert preview.status_code == 200
    assert "数式は使えません" not in body(preview)
    token = re.search(r'name="token" value="([^"]+)"', body(preview)).group(1)
    assert commit(client, 2022, fisheries, token).status_code == 302
    assert snapshot() == before  # nothing changed: the notes came back exactly as stored
    assert Actual.objects.get(indicator=assigned["1-ア-1-1"], fiscal_year=2022).note == note


def test_the_import_checks_the_first_year_against_the_baseline(client, alice, assigned, fisheries):
    # The same rule set as the entry form (kpis.entry.rules.validate_entry), numbers printed the same.
    client.force_login(alice)
    wb = fill(download(client, 2021, fisheries), {"1-ア-1-1": {V: "251000"}, "1-ア-1-3": {V: 4}})
    page = body(upload(client, 2021, fisheries, xlsx(wb)))
    assert "251,000tは基準値（23,854t）から50%を超えて変化しています" in page
    assert "新規狩猟免許取得者数" not in page.split("取り込めない内容")[1].split("</table>")[0]
    assert not Actual.objects.exists()
