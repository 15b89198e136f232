import io

import pytest
from openpyxl import load_workbook

from population.importers import HEADERS

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/population/template.xlsx"


def test_it_redirects_anonymous_users_to_login(client, strategy):
    r = client.get(URL)
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


@pytest.mark.parametrize("user", ["alice", "mallory", "charlie"])
def test_it_is_forbidden_to_clerks_and_council_members(client, strategy, user, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("user", ["bob", "dave"])
def test_it_downloads_a_blank_template(client, strategy, user, request):
    client.force_login(request.getfixturevalue(user))
    r = client.get(URL)
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(r.content))
    assert workbook.sheetnames == ["人口実績", "記入方法"]
    sheet = workbook["人口実績"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "A2"
    assert all(c.value is None for row in sheet.iter_rows(min_row=2) for c in row)
    assert sheet.data_validations.dataValidation[0].formula1 == '"住民基本台帳,国勢調査"'


def test_the_template_filled_in_is_accepted(client, strategy, bob):
    client.force_login(bob)
    workbook = load_workbook(io.BytesIO(client.get(URL).content))
    workbook["人口実績"].append([2020, "国勢調査", 24636, 2400, 13100, 9000, 1800, 1.45])
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "filled.xlsx"
    r = client.post("/strategies/nemuro-2/population/upload/", {"file": out})
    assert 'name="token"' in r.content.decode()
