"""The Django admin, in Japanese, for every model: only administrators get in."""

import pytest
from django.contrib import admin

from kpis.models import BasicGoal, Indicator, Measure
from projects.models import Project

pytestmark = pytest.mark.django_db


def _admin_urls():
    for model in admin.site._registry:
        yield f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def test_every_strategy_model_is_registered():
    registered = {m.__name__ for m in admin.site._registry}
    expected = {
        "Strategy",
        "FiscalYear",
        "Department",
        "BasicGoal",
        "Policy",
        "Measure",
        "Indicator",
        "Project",
        "ProjectListing",
        "KeyProject",
        "PopulationFigure",
        "PopulationTarget",
        "PopulationPoint",
        "DeclineSuppression",
        "GradeBand",
        "EvaluationSettings",
        "Actual",
        "YearReview",
    }
    assert expected <= registered, expected - registered


def test_the_administrator_opens_every_change_list(client, dave, strategy):
    client.force_login(dave)
    for url in _admin_urls():
        r = client.get(url)
        assert r.status_code == 200, url
    assert "管理メニュー" in client.get("/admin/").content.decode()


def test_the_administrator_opens_change_forms_with_inlines(client, dave, strategy):
    client.force_login(dave)
    goal = BasicGoal.objects.get(number=1)
    body = client.get(f"/admin/kpis/basicgoal/{goal.pk}/change/").content.decode()
    assert "基本的な方向" in body and "数値目標" in body and "具体的な施策" in body
    measure = Measure.objects.get(policy__basic_goal=goal, policy__symbol="ア", number=1)
    body = client.get(f"/admin/kpis/measure/{measure.pk}/change/").content.decode()
    assert "沿岸漁業における生産量" in body and "水産資源増大創造支援事業" in body
    project = Project.objects.get(name="人材確保対策事業")
    assert client.get(f"/admin/projects/project/{project.pk}/change/").status_code == 200


def test_the_administrator_can_search_and_filter(client, dave, strategy):
    client.force_login(dave)
    body = client.get("/admin/kpis/indicator/?q=沿岸漁業").content.decode()
    assert "沿岸漁業における生産量" in body
    r = client.get("/admin/kpis/indicator/?direction__exact=decrease")
    assert list(r.context["cl"].queryset.values_list("code", flat=True).order_by("code")) == [
        "1-ア-2-2",
        "2-N1",
    ]


def test_the_administrator_edits_an_indicator_with_history(client, dave, strategy):
    """The change form is posted back with one field changed: the change is stored, and the
    history page shows it with dave as its author."""
    client.force_login(dave)
    ind = Indicator.objects.get(code="1-ア-1-1")
    url = f"/admin/kpis/indicator/{ind.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[name] = getattr(value, "pk", value)
    data["name"] = "沿岸漁業における生産量（修正）"
    r = client.post(url, data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    ind.refresh_from_db()
    assert ind.name == "沿岸漁業における生産量（修正）"
    assert ind.history.first().history_user == dave
    r = client.get(f"/admin/kpis/indicator/{ind.pk}/history/")
    assert r.status_code == 200 and "沿岸漁業における生産量（修正）" in r.content.decode()


@pytest.mark.parametrize("user", ["alice", "bob", "charlie"])
def test_other_roles_are_kept_out(client, user, strategy, request):
    u = request.getfixturevalue(user)
    u.is_staff = True  # even a staff flag set by mistake does not open the admin
    u.save()
    client.force_login(u)
    for url in list(_admin_urls())[:5]:
        assert client.get(url).status_code in (302, 403), url


def test_anonymous_users_go_to_the_admin_login(client):
    r = client.get("/admin/kpis/indicator/")
    assert r.status_code == 302


def _actual_form(actual, **changes):
    data = {
        "value": str(actual.value),
        "not_measurable_reason": "",
        "data_year": "",
        "data_source": "",
        "note": "",
        **changes,
    }
    return data


def test_an_admin_edit_of_an_actual_goes_through_the_workflow_rules(client, dave, bob, strategy):
    """issue 14: the admin changed a confirmed value with no event and no version bump, so a
    clerk's stale form then overwrote the correction; and it changed locked years."""
    from decimal import Decimal

    from kpis import services
    from kpis.models import Actual, WorkflowEvent

    ind = Indicator.objects.get(code="1-ア-1-1")
    actual = Actual.objects.create(
        indicator=ind, fiscal_year=2022, value=Decimal(25000), status="confirmed", version=3
    )
    client.force_login(dave)
    url = f"/admin/kpis/actual/{actual.pk}/change/"
    r = client.post(url, _actual_form(actual, value="26000", note="管理者の修正"))
    import re

    assert r.status_code == 302, re.findall(r"errorlist[^<]*<li>([^<]*)", r.content.decode())
    actual.refresh_from_db()
    assert (actual.value, actual.version, actual.status) == (Decimal(26000), 4, "draft")
    assert WorkflowEvent.objects.filter(actual=actual, actor=dave).exists()
    services.lock_year(strategy=strategy, fiscal_year=2022, user=bob, reason="検証のため")
    r = client.post(url, _actual_form(actual, value="1"))
    assert r.status_code == 200 and "ロックされています" in r.content.decode()
    actual.refresh_from_db()
    assert actual.value == Decimal(26000)
