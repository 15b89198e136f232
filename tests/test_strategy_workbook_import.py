"""/strategies/<code>/revisions/workbook/import/: upload → preview → confirm creates a new
strategy. Administrators only; a refused workbook lists every problem with sheet, row and column
and nothing is saved; as the next strategy, indicators continue their predecessor's lineage."""

import copy

import pytest

from kpis.models import Indicator, Strategy
from revisions.snapshot import take_snapshot
from revisions.workbook.export import export_strategy_workbook
from tests.workbook_helpers import CODE, ROWS, filled

pytestmark = pytest.mark.django_db

URL = "/strategies/nemuro-2/revisions/workbook/import/"


def test_it_refuses_everyone_but_administrators(client, alice, bob, charlie):
    assert "/login/" in client.get(URL)["Location"]
    assert "/login/" in client.post(URL, {"file": filled()})["Location"]
    for user in (alice, bob, charlie):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"file": filled()}).status_code == 403
    assert not Strategy.objects.filter(code=CODE).exists()


def test_it_shows_the_upload_form_to_administrators(client, dave):
    client.force_login(dave)
    page = client.get(URL)
    assert page.status_code == 200
    assert "総合戦略のブック" in page.content.decode()


def test_a_refused_workbook_lists_every_problem_and_saves_nothing(client, dave):
    data = copy.deepcopy(ROWS)
    data["KPI"][0]["施策"] = "9-ア-1"
    data["KPI"][1]["目標値"] = "たくさん"
    client.force_login(dave)
    page = client.post(URL, {"file": filled(data=data)})
    assert page.status_code == 200
    found = [(p.sheet, p.row, p.column) for p in page.context["problems"]]
    assert sorted(found) == [("KPI", 2, "施策"), ("KPI", 3, "目標値")]  # both, not the first only
    html = page.content.decode()
    assert "何も保存されていません" in html and "たくさん" in html and "9-ア-1" in html
    # The count follows what it counts, as on the revision import page (not after 「保存されていません」).
    assert "取り込めない内容があります（2件）。何も保存されていません" in html
    assert "token" not in page.context
    assert not Strategy.objects.filter(code=CODE).exists()


def test_a_code_in_use_is_refused_at_the_preview_naming_the_cell(client, strategy, dave):
    client.force_login(dave)
    page = client.post(
        URL, {"file": filled(export_strategy_workbook(take_snapshot(strategy)), data={})}
    )
    (problem,) = page.context["problems"]
    assert (problem.sheet, problem.row, problem.column) == ("総合戦略", 2, "コード")
    assert "コード「nemuro-2」の総合戦略はすでにあります" in problem.message


def test_a_confirm_without_its_preview_creates_nothing(client, dave):
    client.force_login(dave)
    page = client.post(URL, {"token": "forged"})
    assert "もう一度ファイルをアップロード" in page.content.decode()
    assert not Strategy.objects.filter(code=CODE).exists()


def test_a_code_taken_between_preview_and_confirm_is_refused(client, dave):
    client.force_login(dave)
    preview = client.post(URL, {"file": filled()})
    Strategy.objects.create(
        code=CODE,
        name="先に作られた",
        municipality="架空町",
        first_fiscal_year=2025,
        last_fiscal_year=2029,
    )
    page = client.post(URL, {"token": preview.context["token"]})
    assert page.status_code == 200
    assert "すでにあります" in page.content.decode()
    assert Strategy.objects.get(code=CODE).name == "先に作られた"


def test_as_the_next_strategy_indicators_continue_the_lineage_by_code(client, strategy, dave):
    """nemuro-2's export edited into a 3rd strategy (FY2025–FY2029): every indicator keeps its code,
    so every one continues nemuro-2's lineage; the period must come after nemuro-2's."""

    def next_period(wb):
        ws = wb["総合戦略"]
        ws["A2"], ws["D2"], ws["E2"] = "nemuro-3", 2025, 2029
        for title in ("数値目標", "KPI", "目標値の推移"):
            sheet = wb[title]
            headers = [c.value for c in sheet[1]]
            for row in sheet.iter_rows(min_row=2):
                row[headers.index("目標年度")].value = 2029
                if "適用開始年度" in headers and title == "目標値の推移":
                    row[headers.index("適用開始年度")].value = 2025

    client.force_login(dave)
    source = export_strategy_workbook(take_snapshot(strategy))
    upload = filled(source, data={}, edit=next_period)
    preview = client.post(URL, {"file": upload, "as_next": "on"})
    assert preview.context["problems"] == [], [str(p) for p in preview.context["problems"]]
    total = Indicator.objects.filter(basic_goal__strategy=strategy).count()
    assert preview.context["plan"].lineage == total
    # the period as every page writes it
    assert "令和7年度（2025年度）〜令和11年度（2029年度）" in preview.content.decode()
    assert client.post(URL, {"token": preview.context["token"]}).status_code == 302
    new = Strategy.objects.get(code="nemuro-3")
    lineage = dict(
        Indicator.objects.filter(basic_goal__strategy=new).values_list("code", "lineage_key")
    )
    assert lineage["1-ア-1-1"] == "nemuro-2:1-ア-1-1"
    assert len(lineage) == total and all(v == f"nemuro-2:{k}" for k, v in lineage.items())

    same_period = filled(
        source, data={}, edit=lambda wb: wb["総合戦略"].__setitem__("A2", "nemuro-2b")
    )
    page = client.post(URL, {"file": same_period, "as_next": "on"})
    (problem,) = page.context["problems"]
    assert (problem.sheet, problem.column) == ("総合戦略", "計画期間（初年度）")


def test_as_the_next_strategy_with_no_code_in_common_it_says_so(client, strategy, dave):
    # 「…一致する指標 0件は、その系譜を引き継ぎます」 read as if something were carried over.
    client.force_login(dave)
    preview = client.post(URL, {"file": filled(), "as_next": "on"})
    assert preview.context["problems"] == [], [str(p) for p in preview.context["problems"]]
    assert preview.context["plan"].lineage == 0
    html = preview.content.decode()
    assert "コードが一致する指標はありません（引き継ぐ系譜はありません）" in html
    assert "0件は、その系譜を引き継ぎます" not in html


def test_as_the_next_strategy_its_first_year_must_follow_the_extended_period(strategy):
    """The rule of start_next_strategy (revisions.period.next_period_error): no fiscal year
    judged by both strategies, also when a revision extended the previous one."""
    from revisions.workbook.plan import new_strategy_problems

    snapshot = copy.deepcopy(take_snapshot(strategy))
    snapshot["strategy"] |= {
        "code": "nemuro-3",
        "first_fiscal_year": 2025,
        "last_fiscal_year": 2029,
    }
    assert new_strategy_problems(snapshot, predecessor=strategy) == []
    Strategy.objects.filter(pk=strategy.pk).update(last_fiscal_year=2025)  # as a period revision
    strategy.refresh_from_db()
    (problem,) = new_strategy_problems(snapshot, predecessor=strategy)
    assert (problem.sheet, problem.column) == ("総合戦略", "計画期間（初年度）")
    assert "（2021〜2025年度）と重なっています。2026年度以降にしてください。" in problem.message
