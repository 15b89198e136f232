import pytest

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/population/"


def test_it_redirects_anonymous_users_to_login(client, strategy):
    r = client.get(URL)
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


def test_it_shows_the_population_vision(client, charlie, strategy):
    client.force_login(charlie)
    body = client.get(URL).content.decode()
    for figure in [
        "26,917人",
        "8,358人",
        "9,345人",
        "987人",
        "22,453人",
        "18,109人",
        "2,409",
        "534",
        "1.61",
    ]:
        assert figure in body, figure
    assert "48.2％" in body  # IPSS 2060 share of 老年人口
    assert "313人" in body  # 根室市−社人研 for 老年人口 (4,343 − 4,030)
    assert "▲1.7ポイント" in body  # share difference for 老年人口


def test_it_is_404_for_an_unknown_strategy(client, charlie, strategy):
    client.force_login(charlie)
    assert client.get("/strategies/nope/population/").status_code == 404


def _figure_json(body, chart_id):
    import json
    import re

    match = re.search(rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>', body)
    return json.loads(match.group(1))


def test_it_draws_the_charts_from_json_without_inline_scripts(client, charlie, strategy):
    client.force_login(charlie)
    body = client.get(URL).content.decode()
    head = body[: body.index("</head>")]  # both deferred, in this order: plotly, then the drawing
    assert head.index(
        '<script src="/static/vendor/plotly/plotly-scatter-bar.min.js" defer></script>'
    ) < head.index('<script src="/static/js/population_charts.js" defer></script>')
    import re

    inline = [s for s in re.findall(r"<script([^>]*)>", body) if "src=" not in s]
    assert all('type="application/json"' in attrs for attrs in inline)
    total = _figure_json(body, "chart-total")
    names = [t["name"] for t in total["data"]]
    assert names[:3] == ["社人研推計（対策を行わない場合）", "根室市の目標人口", "実績"]
    city = total["data"][1]
    assert dict(zip(city["x"], city["y"], strict=True)) == {
        2015: 26917,
        2025: 22453,
        2035: 18109,
        2060: 9345,
    }
    assert 'data-chart="chart-age-share-data"' in body
    for number in (1, 2, 3):
        assert f'id="chart-point-{number}-data"' in body
    assert "「総人口の推移（実績・社人研推計・根室市の目標）」の数値（表）" in body


def test_it_shows_figures_entered_later_in_the_charts_and_tables(client, charlie, strategy):
    from population.models import PopulationFigure

    for category, value in [
        ("total", 24512),
        ("young", 2301),
        ("working", 13010),
        ("elderly", 9001),
        ("women_20_39", 1802),
        ("tfr", "1.42"),
    ]:
        PopulationFigure.objects.create(
            strategy=strategy,
            source="actual",
            year=2020,
            category=category,
            value=value,
            data_source="住民基本台帳",
        )
    client.force_login(charlie)
    body = client.get(URL).content.decode()
    actual = _figure_json(body, "chart-total")["data"][2]
    assert actual["x"] == [2015, 2020] and actual["y"] == [26917, 24512]
    age = _figure_json(body, "chart-age")
    assert "2020年<br>実績" in age["data"][0]["x"]
    assert "9,001人（36.7%）" in body  # share computed from the counts
    point_1 = _figure_json(body, "chart-point-1")
    assert [t for t in point_1["data"] if t["name"] == "実績"][0]["y"] == [2409, 1802]
    assert "住民基本台帳" in body
    assert "人口の実績を入力" not in body  # council members do not enter figures


def test_it_offers_entry_to_the_secretariat(client, bob, strategy):
    client.force_login(bob)
    body = client.get(URL).content.decode()
    assert 'href="/strategies/nemuro-2/population/entry/"' in body
    assert 'href="/strategies/nemuro-2/population/upload/"' in body


def test_it_reads_the_page_in_a_fixed_number_of_queries(
    client, charlie, strategy, django_assert_num_queries
):
    client.force_login(charlie)
    # 1 session, 2 user, 3 strategy, 4 figures, 5 targets, 6 points, 7 decline suppression,
    # 8 the user's groups (navigation)
    with django_assert_num_queries(8):
        client.get(URL)
