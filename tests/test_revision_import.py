"""「Excelのブックから改訂を作成」 (/strategies/nemuro-2/revisions/workbook/revision/): an export edited in openpyxl —
one target changed from a year, a KPI added, a project retired — uploaded, previewed as the
revision comparison shows it, confirmed as a draft revision, published; the result is what the
revision forms give (tests/test_revision_import_plan.py builds the same three by the forms)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from revisions.models import Revision, RevisionChange
from revisions.snapshot import take_snapshot, without_ids
from tests.revision_helpers import BASE, publish_through_the_page
from tests.test_revision_import_plan import published_state, three_changes_by_forms
from tests.workbook_edits import CODE, NEW_CODE, NEW_KPI, PROJECT, edit, exported, three_edits

pytestmark = pytest.mark.django_db

URL = f"{BASE}/workbook/revision/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, data, title="指標の見直し（Excelで作成）"):
    return client.post(
        URL,
        {
            "title": title,
            "reason": "有識者会議の意見を踏まえて",
            "decided_by": "council",
            "decided_on": "",
            "file": SimpleUploadedFile("nemuro-2.xlsx", data, content_type=XLSX),
        },
    )


def token_of(response):
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def confirm(client, response):
    return client.post(f"{URL}confirm/", {"token": token_of(response)})


@pytest.mark.parametrize(
    "who, status", [("alice", 403), ("bob", 403), ("charlie", 403), ("dave", 200)]
)
def test_it_is_for_administrators_only(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == status
    r = client.post(f"{URL}confirm/", {"token": "x"})
    assert r.status_code == (302 if status == 200 else 403)


def test_anonymous_users_go_to_the_login_page(client):
    r = client.get(URL)
    assert r.status_code == 302 and "/login" in r["Location"]
    assert client.post(f"{URL}confirm/").status_code == 302


def test_a_non_administrator_cannot_upload_either(client, bob):
    client.force_login(bob)
    assert upload(client, exported()).status_code == 403
    assert Revision.objects.count() == 1


def test_the_preview_lists_exactly_the_three_edits_grouped_by_goal(client, dave):
    client.force_login(dave)
    r = upload(client, three_edits(exported()))
    assert r.status_code == 200
    body = r.content.decode()
    assert "取り込めない内容" not in body
    assert "追加 1件 ・ 廃止 1件 ・ 変更 1件" in body
    rows = re.findall(r'data-key="([^"]+)" data-action="(\w+)"', body)
    assert sorted(rows) == sorted([(NEW_CODE, "added"), (PROJECT, "removed"), (CODE, "changed")])
    assert "基本目標-1" in body and "基本目標-2" not in body  # all three are under goal 1
    assert "27,700" in body and "30,000" in body and "2023年度から" in body
    assert Revision.objects.count() == 1 and not RevisionChange.objects.exists()  # nothing yet


def test_confirming_creates_the_draft_that_publishes_as_the_forms_would(client, strategy, dave):
    client.force_login(dave)
    preview = upload(client, three_edits(exported()))
    r = confirm(client, preview)
    revision = Revision.objects.get(strategy=strategy, number=2)
    assert r.status_code == 302 and r["Location"] == f"{BASE}/2/"
    assert revision.is_draft and revision.title == "指標の見直し（Excelで作成）"
    assert revision.created_by == dave and revision.decided_by == "council"
    changes = {
        (c.kind, c.action, c.object_key, c.field, c.effective_from_year)
        for c in revision.changes.all()
    }
    assert changes == {
        ("indicator", "add", NEW_CODE, "", None),
        ("indicator", "change", CODE, "target", 2023),
        ("project", "retire", PROJECT, "", 2023),
    }
    assert {c.note for c in revision.changes.all()} == {
        "Excelのブック「nemuro-2.xlsx」から取り込み"
    }
    page = client.get(f"{BASE}/2/").content.decode()  # the usual draft page
    assert "この改訂の変更（3件）" in page
    r = publish_through_the_page(client, 2)
    assert r.status_code == 302
    revision.refresh_from_db()
    assert revision.is_published
    # The comparison of the published revisions shows the same three.
    body = client.get(f"{BASE}/compare/?from=1&to=2").content.decode()
    assert "追加 1件 ・ 廃止 1件 ・ 変更 1件" in body
    after = take_snapshot(strategy)
    new = next(i for i in after["indicators"] if i["key"] == NEW_CODE)
    assert (new["target_value"], new["introduced_from_year"], new["targets"][0]["from"]) == (
        "25",
        2023,
        2023,
    )
    # Exporting again and importing that gives nothing more to do.
    again = upload(client, exported())
    assert "変更はありません。" in again.content.decode()
    assert without_ids(revision.snapshot) == without_ids(after)


def test_publishing_the_workbook_gives_what_the_forms_give(client, strategy, dave):
    client.force_login(dave)
    data = three_edits(exported())

    def by_workbook():
        assert confirm(client, upload(client, data)).status_code == 302
        assert publish_through_the_page(client, 2).status_code == 302

    imported = published_state(strategy, by_workbook)
    typed = published_state(strategy, lambda: three_changes_by_forms(client, strategy, dave))
    assert imported != without_ids(take_snapshot(strategy))  # rolled back to 第1版 since
    # The one difference: the add form has no 原文 (source_line); the workbook's KPI sheet does.
    new = next(i for i in typed["indicators"] if i["key"] == NEW_CODE)
    assert new["source_line"] == ""
    new["source_line"] = NEW_KPI["原文"]
    assert imported == typed


def test_an_unchanged_export_is_a_no_op(client, strategy, dave):
    client.force_login(dave)
    r = upload(client, exported())
    body = r.content.decode()
    assert "変更はありません。" in body
    assert 'name="token"' not in body  # nothing to confirm
    assert "追加 0件 ・ 廃止 0件 ・ 変更 0件" in body
    assert Revision.objects.filter(strategy=strategy).count() == 1


def test_a_refusal_of_the_reader_names_sheet_row_and_column_and_saves_nothing(client, dave):
    client.force_login(dave)
    data = edit(three_edits(exported()), "KPI", "コード", CODE, "目標値", "たくさん")
    r = upload(client, data)
    body = r.content.decode()
    assert "取り込めない内容があります（1件）。何も保存していません" in body
    (row,) = re.findall(r'<tr class="import-error">(.*?)</tr>', body, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[0] == "KPI" and cells[1] == "2行目" and cells[2] == "目標値（I列）"
    assert "数値" in cells[3]
    assert 'name="token"' not in body
    assert Revision.objects.count() == 1 and not RevisionChange.objects.exists()


def test_what_a_revision_cannot_change_is_refused_with_its_row(client, dave):
    client.force_login(dave)
    data = edit(exported(), "KPI", "コード", CODE, "改善の方向", "減少")
    body = upload(client, data).content.decode()
    (row,) = re.findall(r'<tr class="import-error">(.*?)</tr>', body, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[:3] == ["KPI", "2行目", "改善の方向"]
    assert "改訂では変更できません（現在：increase、ファイル：decrease）" in cells[3]
    assert 'name="token"' not in body
    assert Revision.objects.count() == 1


def test_a_changed_first_year_is_refused_on_the_strategy_sheet(client, dave):
    # (a changed last year is a period change: tests/test_revision_import_period.py)
    client.force_login(dave)
    data = edit(exported(), "総合戦略", "コード", "nemuro-2", "計画期間（初年度）", 2020)
    body = upload(client, data).content.decode()
    (row,) = re.findall(r'<tr class="import-error">(.*?)</tr>', body, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[:3] == ["総合戦略", "2行目", "計画期間（初年度）"]
    assert "改訂の取込では変更できません（現在：2021、ファイル：2020）" in cells[3]
    assert Revision.objects.count() == 1


def test_a_target_year_outside_the_period_is_refused(client, dave):
    client.force_login(dave)
    data = edit(three_edits(exported()), "目標値の推移", "目標値", 30000, "目標年度", 2030)
    data = edit(data, "KPI", "コード", CODE, "目標年度", 2030)
    body = upload(client, data).content.decode()
    assert "計画期間" in body and "2030" in body
    assert 'name="token"' not in body
    assert Revision.objects.count() == 1


def test_a_confirmation_without_its_preview_saves_nothing(client, dave):
    client.force_login(dave)
    r = client.post(f"{URL}confirm/", {"token": "forged"}, follow=True)
    assert "確認済みの取込データが見つかりません" in r.content.decode()
    assert Revision.objects.count() == 1


def test_a_second_confirmation_of_one_preview_saves_nothing_more(client, dave):
    client.force_login(dave)
    preview = upload(client, three_edits(exported()))
    assert confirm(client, preview).status_code == 302
    r = client.post(f"{URL}confirm/", {"token": token_of(preview)}, follow=True)
    assert "確認済みの取込データが見つかりません" in r.content.decode()
    assert Revision.objects.count() == 2 and RevisionChange.objects.count() == 3


def test_an_open_draft_is_named_and_nothing_can_be_confirmed(client, strategy, dave):
    from tests.revision_helpers import open_revision

    open_revision(strategy, dave)
    client.force_login(dave)
    body = upload(client, three_edits(exported())).content.decode()
    assert "作成中の改訂（第2版" in body
    assert 'name="token"' not in body


def test_the_preview_takes_a_fixed_number_of_queries(client, dave, django_assert_num_queries):
    client.force_login(dave)
    data = three_edits(exported())
    # 3: the session, the user, the user's roles
    # 1: the strategy (resolved by the kpis.access middleware)
    # 10: the published state (take_snapshot: goals, directions, policies, measures, indicators,
    #     targets, projects, listings, key projects, their actions)
    # 1: the next revision number; 1: locked years; 1: the 担当課 names; 1: an open draft
    # 3: the session saved with the wanted state (savepoint, update, release)
    with django_assert_num_queries(21):
        r = upload(client, data)
    assert 'name="token"' in r.content.decode()
