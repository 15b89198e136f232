"""Who sees and does what on the revision pages (server-enforced), the strategy browser's revision
selector, draft invisibility, and the .xlsx comparison."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from revisions import services
from revisions.models import Revision
from tests.revision_helpers import BASE, CODE, open_revision, raise_target, target_change

pytestmark = pytest.mark.django_db
STRATEGY = "/strategies/nemuro-2/"
NON_ADMINS = ["alice", "bob", "charlie", "mallory"]


@pytest.fixture
def draft(strategy, dave):
    """第2版 (draft): 沿岸漁業における生産量 → 30,000t from FY2023, not published."""
    revision = open_revision(strategy, dave, title="下書きの改訂")
    target_change(revision, dave)
    return revision


ADMIN_GETS = [
    f"{BASE}/new/",
    f"{BASE}/next/",
    f"{BASE}/2/",
    f"{BASE}/2/edit/",
    f"{BASE}/2/changes/indicator-target/?key={CODE}",
    f"{BASE}/2/changes/indicator-add/",
    f"{BASE}/compare/?from=1&to=2",
    f"{STRATEGY}?revision=2",
]
ADMIN_POSTS = [f"{BASE}/2/publish/", f"{BASE}/2/discard/", f"{BASE}/2/changes/1/undo/"]
DRAFT_READS = [f"{BASE}/2/", f"{BASE}/compare/?from=1&to=2", f"{STRATEGY}?revision=2"]
# The undo URL names a change id that may not exist for these users: 403 comes before the lookup.
READER_GETS = [
    f"{BASE}/",
    f"{BASE}/1/",
    f"{BASE}/compare/?from=1&to=1",
    f"{BASE}/compare/xlsx/?from=1&to=1",
    f"{STRATEGY}?revision=1",
]


def test_anonymous_users_go_to_the_login_page(client, draft):
    for url in ADMIN_GETS + READER_GETS + ADMIN_POSTS:
        r = client.post(url) if url in ADMIN_POSTS else client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), url


@pytest.mark.parametrize("user", NON_ADMINS)
def test_only_administrators_open_drafts_and_edit_pages(client, draft, request, user):
    client.force_login(request.getfixturevalue(user))
    for url in ADMIN_GETS:
        # A draft's number is not revealed to readers (404); editing pages are refused (403).
        want = 404 if url in DRAFT_READS else 403
        assert client.get(url).status_code == want, url


@pytest.mark.parametrize("user", NON_ADMINS)
def test_only_administrators_publish_discard_and_undo(client, draft, request, user):
    client.force_login(request.getfixturevalue(user))
    for url in ADMIN_POSTS:
        assert client.post(url).status_code == 403, url
    draft.refresh_from_db()
    assert draft.is_draft and draft.changes.count() == 1


@pytest.mark.parametrize("user", NON_ADMINS + ["dave"])
def test_everyone_signed_in_reads_published_revisions(client, draft, request, user):
    client.force_login(request.getfixturevalue(user))
    for url in READER_GETS:
        assert client.get(url).status_code == 200, url


def test_the_administrator_opens_every_page(client, draft, dave):
    client.force_login(dave)
    for url in ADMIN_GETS:
        assert client.get(url).status_code == 200, url


def test_the_list_shows_drafts_to_administrators_only(client, draft, charlie, dave):
    client.force_login(charlie)
    body = client.get(f"{BASE}/").content.decode()
    assert "第1版" in body and "下書きの改訂" not in body and "改訂を作成する" not in body
    client.force_login(dave)
    body = client.get(f"{BASE}/").content.decode()
    assert "下書きの改訂" in body and "作成中の第2版を開く" in body


@pytest.mark.parametrize("user", ["bob", "charlie"])
def test_draft_changes_are_invisible_to_other_users(client, draft, request, user):
    client.force_login(request.getfixturevalue(user))
    body = client.get(STRATEGY).content.decode()
    assert "27,700t" in body and "30,000t" not in body and "下書きの改訂" not in body
    body = client.get(f"{BASE}/1/").content.decode()
    assert "30,000" not in body
    api = client.get("/api/v1/strategies/nemuro-2/indicators").json()
    kpi = next(i for i in api["indicators"] if i["code"] == CODE)
    assert kpi["target_value"] == "27700"  # the live tables are untouched by a draft
    assert client.get(f"{BASE}/compare/?from=1&to=2").status_code == 404


def test_the_administrator_previews_and_compares_a_draft(client, draft, dave):
    client.force_login(dave)
    body = client.get(f"{STRATEGY}?revision=2").content.decode()
    assert "作成中（未公開）の第2版「下書きの改訂」を反映したプレビュー" in body
    assert "30,000t" in body and "2023年度から改訂" in body
    body = client.get(f"{BASE}/compare/?from=1&to=2").content.decode()
    assert "変更 1件" in body and "2023年度から" in body
    assert "30,000t" not in client.get(STRATEGY).content.decode()  # live: still 27,700t


def test_the_browser_shows_the_strategy_as_of_any_revision(client, strategy, dave, charlie):
    raise_target(strategy, dave)
    client.force_login(charlie)
    latest = client.get(STRATEGY).content.decode()
    assert "30,000t" in latest and "2023年度から改訂" in latest
    assert 'id="revision-select"' in latest and "第2版 沿岸漁業の生産量目標の上方修正" in latest
    first = client.get(f"{STRATEGY}?revision=1").content.decode()
    assert "27,700t" in first and "30,000t" not in first
    assert "第1版「策定」（2021年4月1日 根室市人口問題・少子化対策推進本部）の時点の内容" in first
    assert first.count('class="badge relisted"') == 24  # the whole tree, from the snapshot
    assert client.get(f"{STRATEGY}?revision=9").status_code == 404
    assert client.get(f"{STRATEGY}?revision=x").status_code == 404


def test_the_comparison_downloads_as_xlsx(client, strategy, dave, charlie):
    raise_target(strategy, dave)
    client.force_login(charlie)
    r = client.get(f"{BASE}/compare/xlsx/?from=1&to=2")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert r["Content-Disposition"].endswith(
        "filename*=UTF-8''%E6%94%B9%E8%A8%82%E3%81%AE%E6%AF%94%E8%BC%83_nemuro-2_1-2.xlsx"
    )  # 改訂の比較_nemuro-2_1-2.xlsx
    ws = load_workbook(BytesIO(r.content)).active
    rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    header = rows.index(
        ["基本目標", "区分", "対象", "コード", "名称", "項目", "変更前", "変更後", "適用年度"]
    )
    assert rows[header + 1 :] == [
        [
            "基本目標-1",
            "変更",
            "指標",
            CODE,
            f"{CODE} 沿岸漁業における生産量",
            "目標値",
            "27,700t",
            "30,000t",
            "2023年度から",
        ]
    ]


def test_the_xlsx_neutralises_text_that_looks_like_a_formula(client, strategy, dave, charlie):
    revision = open_revision(strategy, dave, title="=1+1")
    services.save_change(
        revision=revision,
        user=dave,
        kind="project",
        action="add",
        new_value={
            "name": '=HYPERLINK("http://example.com")',
            "measure": "1-ア-1",
            "description": "@SUM(A1)",
            "introduced_from_year": 2023,
        },
    )
    services.publish_revision(revision=revision, user=dave)
    client.force_login(charlie)
    ws = load_workbook(BytesIO(client.get(f"{BASE}/compare/xlsx/?from=1&to=2").content)).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert '\'=HYPERLINK("http://example.com")' in values
    assert "'@SUM(A1)" in values
    assert not any(v.startswith(("=", "@")) for v in values)


def test_the_next_strategy_in_preparation_is_hidden_from_others(client, strategy, dave, charlie):
    services.start_next_strategy(
        source=strategy,
        code="nemuro-3",
        name="第３期根室市創生総合戦略",
        first_fiscal_year=2025,
        last_fiscal_year=2029,
        user=dave,
    )
    client.force_login(charlie)
    assert client.get("/").context["strategy"].code == "nemuro-2"  # not the 3rd: unpublished
    assert client.get("/strategies/nemuro-3/").status_code == 404
    assert client.get("/strategies/nemuro-3/revisions/1/").status_code == 404
    client.force_login(dave)
    assert client.get("/strategies/nemuro-3/").status_code == 200
    assert client.get("/strategies/nemuro-3/revisions/1/").status_code == 200


def test_a_discarded_draft_is_gone(client, draft, dave):
    client.force_login(dave)
    r = client.post(f"{BASE}/2/discard/", follow=True)
    assert "作成中の第2版を破棄しました" in r.content.decode()
    assert not Revision.objects.filter(number=2).exists()
