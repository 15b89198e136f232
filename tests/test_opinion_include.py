"""council/_opinions.html and the {% opinions_panel %} tag, as another page includes them."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from council.models import Opinion, Response
from council.selectors import opinion_index
from kpis.models import Indicator, Measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator(strategy):
    return Indicator.objects.get(code="1-ア-1-1")


def _render(source, user, **context):
    """As a page renders it: the view has read the opinions (council.selectors.opinion_index)."""
    request = RequestFactory().get("/strategies/nemuro-2/dashboard/indicator/1/")
    request.user = user
    strategy = context["strategy"]
    years = [strategy.first_fiscal_year - 1, *strategy.fiscal_years]
    if "opinion_index" not in context:
        context["opinion_index"] = opinion_index(strategy, years)
    return Template(source).render(
        Context({"request": request, "user": user, "csrf_token": "t", **context})
    )


def _opinions(strategy, indicator, charlie, bob, n, year=2022):
    for i in range(n):
        o = Opinion.objects.create(
            strategy=strategy,
            fiscal_year=year,
            indicator=indicator,
            body=f"意見{i}",
            author=charlie,
        )
        Response.objects.create(opinion=o, body=f"対応{i}", author=bob)


def test_the_include_shows_this_and_last_years_opinions_with_responses(
    strategy, indicator, charlie, bob
):
    _opinions(strategy, indicator, charlie, bob, 1, year=2021)
    _opinions(strategy, indicator, charlie, bob, 1, year=2022)
    html = _render(
        '{% include "council/_opinions.html" with indicator=indicator %}',
        bob,
        strategy=strategy,
        fiscal_year=2022,
        indicator=indicator,
    )
    assert "有識者会議の意見と対応方針（令和4年度（2022年度））" in html
    assert "前年度（令和3年度（2021年度））の意見と対応方針" in html
    assert html.count("意見0") == 2 and html.count("対応0") >= 2
    assert "/respond/" in html  # the secretariat gets the response form
    assert "/new/" not in html


def test_the_one_line_tag_gives_council_members_the_opinion_form(strategy, indicator, charlie):
    measure = Measure.objects.get(policy__basic_goal__number=1, policy__symbol="ア", number=1)
    html = _render(
        "{% load council_opinions %}{% opinions_panel measure=measure fiscal_year=2023 %}",
        charlie,
        strategy=strategy,
        measure=measure,
    )
    assert f'action="/strategies/nemuro-2/council/opinions/measure/{measure.pk}/new/"' in html
    assert 'name="fiscal_year" value="2023"' in html
    assert "この年度の意見はありません。" in html


def test_a_clerk_sees_opinions_but_no_form(strategy, indicator, alice, charlie, bob):
    _opinions(strategy, indicator, charlie, bob, 1)
    html = _render(
        "{% load council_opinions %}{% opinions_panel indicator=indicator fiscal_year=2022 %}",
        alice,
        strategy=strategy,
        indicator=indicator,
    )
    assert "意見0" in html and "対応0" in html
    assert "<form" not in html


def test_the_page_reads_the_opinions_in_one_query_and_the_tag_in_none(
    strategy, indicator, charlie, bob, django_assert_num_queries
):
    source = "{% load council_opinions %}{% opinions_panel indicator=indicator fiscal_year=2022 %}"
    _render(source, charlie, strategy=strategy, indicator=indicator)  # roles cached on the user
    _opinions(strategy, indicator, charlie, bob, 5)
    # 1 opinions of 2021 and 2022 with their authors, responses and targets
    with django_assert_num_queries(1):
        index = opinion_index(strategy, [2021, 2022])
    with django_assert_num_queries(0):
        html = _render(source, charlie, strategy=strategy, indicator=indicator, opinion_index=index)
    assert "対応4" in html


def test_a_page_without_the_opinions_read_is_an_error_not_a_hidden_query(
    strategy, indicator, charlie
):
    request = RequestFactory().get("/")
    request.user = charlie
    with pytest.raises(KeyError):
        Template("{% load council_opinions %}{% opinions_panel indicator=indicator %}").render(
            Context({"request": request, "strategy": strategy, "indicator": indicator})
        )
