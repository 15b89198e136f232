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
