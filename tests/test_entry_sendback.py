"""The entry page with a send-back (差戻し): the badge and reason, the clerk's own 回答 field
(never 要因分析), resubmission, and the history keeping both."""

import re

import pytest

from kpis import services
from kpis.models import Actual, Indicator, WorkflowEvent

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/entry/2021/{}/"
REASON = "2021年度の取得者数を確認してください"


@pytest.fixture
def returned(strategy, fisheries, alice, bob):
    Indicator.objects.filter(code__startswith="1-ア-1-").update(department=fisheries)
    ind = Indicator.objects.get(code="1-ア-1-3")
    actual = Actual.objects.create(
        indicator=ind, fiscal_year=2021, value=9, status="submitted", note="講習会を開催。"
    )
    return services.return_actual(actual=actual, user=bob, reason=REASON)


def _post(client, fisheries, actual, **extra):
    p = f"i{actual.indicator_id}"
    data = {f"{p}-version": actual.version, f"{p}-value": "9", f"{p}-note": "講習会を開催。"}
    data.update({f"{p}-{k}": v for k, v in extra.items() if k != "action"})
    data["action"] = extra.get("action", "save")
    return client.post(URL.format(fisheries.pk), data, follow=True)


def test_it_shows_the_badge_the_reason_and_an_answer_field(client, alice, fisheries, returned):
    client.force_login(alice)
    html = client.get(URL.format(fisheries.pk)).content.decode()
    assert '<span class="status status-returned">差戻し</span>' in html
    assert REASON in html
    assert f'name="i{returned.indicator_id}-reply"' in html
    assert len(re.findall(r'name="i\d+-reply"', html)) == 1  # only the returned row


def test_the_answer_goes_to_its_own_field_not_the_analysis(client, alice, fisheries, returned):
    client.force_login(alice)
    _post(client, fisheries, returned, reply="2021年度の取得者数に修正しました。", value="4")
    returned.refresh_from_db()
    assert returned.reply == "2021年度の取得者数に修正しました。"
    assert returned.note == "講習会を開催。"
    assert returned.is_returned  # saved as a draft: still to be submitted
    event = WorkflowEvent.objects.get(action="reply")
    assert (event.actor, event.reason) == (alice, "2021年度の取得者数に修正しました。")


def test_submitting_a_returned_value_needs_an_answer(client, alice, fisheries, returned):
    client.force_login(alice)
    r = _post(client, fisheries, returned, action="submit")
    assert "差戻しへの回答を入力してください" in r.content.decode()
    returned.refresh_from_db()
    assert returned.status == "draft"
    _post(client, fisheries, returned, action="submit", reply="修正しました。")
    returned.refresh_from_db()
    assert (returned.status, returned.is_returned, returned.reply) == (
        "submitted",
        False,
        "修正しました。",
    )


def test_the_history_keeps_the_reason_and_the_answer(client, alice, fisheries, returned, bob):
    client.force_login(alice)
    _post(client, fisheries, returned, action="submit", reply="修正しました。")
    history = list(Actual.objects.get(pk=returned.pk).history.order_by("history_date"))
    assert any(h.return_reason == REASON and h.reply == "" for h in history)
    assert history[-1].reply == "修正しました。" and history[-1].status == "submitted"
    # a second send-back clears the answer on the value; the old one stays in the history
    returned.refresh_from_db()
    services.return_actual(actual=returned, user=bob, reason="出典も記入してください")
    returned.refresh_from_db()
    assert (returned.return_reason, returned.reply) == ("出典も記入してください", "")
    assert returned.history.filter(reply="修正しました。").exists()
    actions = list(
        WorkflowEvent.objects.filter(actual=returned)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["return", "submit", "reply", "return"]


def test_the_secretariat_sees_the_answer_on_the_status_board(
    client, alice, bob, fisheries, returned
):
    client.force_login(alice)
    _post(client, fisheries, returned, action="submit", reply="修正しました。")
    client.force_login(bob)
    html = client.get("/strategies/nemuro-2/status/2021/").content.decode()
    assert REASON in html and "修正しました。" in html


def test_after_resubmitting_the_form_still_shows_the_reason_and_answer(
    client, alice, fisheries, returned
):
    client.force_login(alice)
    r = _post(client, fisheries, returned, action="submit", reply="修正しました。")
    html = r.content.decode()
    assert f"{REASON} ／ 回答：修正しました。（提出済み）" in html
    assert "status-returned" not in html


def test_markup_in_an_answer_is_shown_as_text(client, alice, bob, fisheries, returned):
    client.force_login(alice)
    _post(client, fisheries, returned, action="submit", reply="<script>alert(1)</script>")
    client.force_login(bob)
    html = client.get("/strategies/nemuro-2/status/2021/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_another_departments_clerk_cannot_answer(client, mallory, fisheries, returned):
    client.force_login(mallory)
    r = _post(client, fisheries, returned, reply="横から回答")
    assert r.status_code == 403
    returned.refresh_from_db()
    assert returned.reply == ""
