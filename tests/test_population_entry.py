from decimal import Decimal

import pytest

from population.models import PopulationFigure, Source

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/population/entry/"
GOOD = {
    "year": "２０２０",
    "data_source": "住民基本台帳",
    "total": "２４，５１２",
    "young": "2,301",
    "working": "１３，０１０",
    "elderly": "9,001",
    "women_20_39": "1,802",
    "tfr": "１．４２",
}


def _actuals():
    return PopulationFigure.objects.filter(source=Source.ACTUAL)


def test_it_redirects_anonymous_users_to_login(client, strategy):
    for method in (client.get, client.post):
        r = method(URL)
        assert r.status_code == 302
        assert r["Location"].startswith("/login/")


@pytest.mark.parametrize("user", ["alice", "mallory", "charlie"])
def test_it_is_forbidden_to_clerks_and_council_members(client, strategy, user, request):
    client.force_login(request.getfixturevalue(user))
    before = _actuals().count()
    assert client.get(URL).status_code == 403
    assert client.post(URL, GOOD).status_code == 403
    assert _actuals().count() == before


@pytest.mark.parametrize("user", ["bob", "dave"])
def test_it_shows_the_form_to_the_secretariat_and_admins(client, strategy, user, request):
    client.force_login(request.getfixturevalue(user))
    r = client.get(URL)
    assert r.status_code == 200
    body = r.content.decode()
    assert "人口の実績入力" in body
    assert "住民基本台帳" in body and "国勢調査" in body


def test_it_saves_full_width_digits_and_commas_as_actual_figures(client, strategy, bob):
    client.force_login(bob)
    r = client.post(URL, GOOD)
    assert r.status_code == 302
    assert r["Location"] == "/strategies/nemuro-2/population/"
    saved = {f.category: f for f in _actuals().filter(year=2020)}
    assert saved["total"].value == Decimal("24512")
    assert saved["working"].value == Decimal("13010")
    assert saved["tfr"].value == Decimal("1.42")
    assert {f.data_source for f in saved.values()} == {"住民基本台帳"}
    assert len(saved) == 6
    assert saved["total"].history.first().history_user == bob
    page = client.get("/strategies/nemuro-2/population/").content.decode()
    assert "2020年の人口の実績（住民基本台帳）を保存しました（新規6件・更新0件）" in page
    assert "24,512人" in page


def test_it_names_the_field_of_a_bad_value_in_japanese_and_saves_nothing(client, strategy, bob):
    client.force_login(bob)
    before = _actuals().count()
    r = client.post(URL, {**GOOD, "working": "１３千人"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "生産年齢人口（15〜64歳）：「１３千人」" in body
    assert _actuals().count() == before


def test_it_requires_a_year_a_data_source_and_one_figure(client, strategy, bob):
    client.force_login(bob)
    r = client.post(URL, {"year": "", "data_source": ""})
    body = r.content.decode()
    assert "年：西暦4桁で入力してください" in body
    assert "データの出所：「住民基本台帳」または「国勢調査」を選んでください。" in body
    assert "人口の数値を1つ以上入力してください。" in body


def test_it_refuses_age_groups_larger_than_the_total(client, strategy, bob):
    client.force_login(bob)
    r = client.post(URL, {**GOOD, "total": "20000"})
    assert "年齢３区分の合計（24,312人）が総人口（20,000人）を超えています" in r.content.decode()
    assert not _actuals().filter(year=2020).exists()


def test_it_refuses_a_fraction_of_a_person_and_a_rate_with_a_unit(client, strategy, bob):
    client.force_login(bob)
    body = client.post(URL, {**GOOD, "young": "2301.5", "tfr": "1.4人"}).content.decode()
    assert "年少人口（0〜14歳）：「2,301.5」は人数のため整数で入力してください。" in body
    assert "合計特殊出生率：「1.4人」は数値として読み取れません。" in body


def test_it_does_not_overwrite_the_strategy_documents_figures(client, strategy, bob):
    client.force_login(bob)
    r = client.post(URL, {"year": "2015", "data_source": "国勢調査", "total": "27000"})
    assert r.status_code == 200
    assert "2015年の総人口（26,917）は総合戦略の原文の数値のため" in r.content.decode()
    assert _actuals().get(year=2015, category="total").value == Decimal("26917")


def test_it_updates_a_year_and_fills_the_form_to_correct_it(client, strategy, bob):
    client.force_login(bob)
    client.post(URL, GOOD)
    body = client.get(URL + "?year=2020").content.decode()
    assert 'value="24512"' in body
    r = client.post(URL, {**GOOD, "total": "24,600", "data_source": "国勢調査"})
    assert r.status_code == 302
    total = _actuals().get(year=2020, category="total")
    assert (total.value, total.data_source) == (Decimal("24600"), "国勢調査")
    assert total.history.count() == 2
