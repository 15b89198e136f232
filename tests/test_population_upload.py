import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from population.importers import HEADERS, template_workbook
from population.models import PopulationFigure, Source
from population.rules import YearFigures
from population.services import PopulationEntryError, import_year_figures

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/population/upload/"
ROW_2020 = [2020, "住民基本台帳", 24512, 2301, 13010, 9001, 1802, 1.42]
ROW_2021 = ["２０２１", "住民基本台帳", "２４，１００", "2,250", "12,800", "9,050", "1,780", "1.40"]


def _actuals():
    return PopulationFigure.objects.filter(source=Source.ACTUAL)


def _xlsx(*rows, headers=HEADERS, name="population.xlsx"):
    workbook = load_workbook(io.BytesIO(template_workbook()))
    sheet = workbook.worksheets[0]
    for column, text in enumerate(headers, start=1):
        sheet.cell(row=1, column=column, value=text)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def _csv(*rows, encoding="utf-8", name="population.csv"):
    lines = [",".join(HEADERS)] + [",".join(f'"{v}"' for v in row) for row in rows]
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(encoding))


def _preview(client, upload):
    return client.post(URL, {"file": upload})


def _token(body):
    match = re.search(r'name="token" value="([^"]+)"', body)
    return match and match.group(1)


def test_it_redirects_anonymous_users_to_login(client, strategy):
    r = client.get(URL)
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


@pytest.mark.parametrize("user", ["alice", "mallory", "charlie"])
def test_it_is_forbidden_to_clerks_and_council_members(client, strategy, user, request):
    client.force_login(request.getfixturevalue(user))
    before = _actuals().count()
    assert client.get(URL).status_code == 403
    assert _preview(client, _xlsx(ROW_2020)).status_code == 403
    assert _actuals().count() == before


@pytest.mark.parametrize("user", ["bob", "dave"])
def test_it_shows_the_upload_form_to_the_secretariat_and_admins(client, strategy, user, request):
    client.force_login(request.getfixturevalue(user))
    r = client.get(URL)
    assert r.status_code == 200
    assert "人口の実績の取込" in r.content.decode()


def test_it_previews_without_saving_then_commits_every_row(client, strategy, bob):
    client.force_login(bob)
    before = _actuals().count()
    r = _preview(client, _xlsx(ROW_2020, ROW_2021))
    body = r.content.decode()
    assert r.status_code == 200
    assert "確認：「population.xlsx」の内容（まだ保存していません）" in body
    assert "24,512" in body and "24,100" in body
    assert _actuals().count() == before  # a preview writes nothing
    r = client.post(URL, {"token": _token(body)})
    assert r.status_code == 302
    assert _actuals().count() == before + 12
    assert _actuals().get(year=2021, category="total").value == Decimal("24100")
    assert _actuals().get(year=2020, category="tfr").value == Decimal("1.42")
    page = client.get(r["Location"]).content.decode()
    assert "「population.xlsx」の人口の実績 2年分を取り込みました（新規12件・更新0件）" in page


def test_it_refuses_the_whole_file_when_one_row_is_wrong(client, strategy, bob):
    client.force_login(bob)
    before = _actuals().count()
    bad = [2022, "住民基本台帳", "２万", 2200, 12600, 9100, 1760, 1.38]
    body = _preview(client, _xlsx(ROW_2020, bad, ROW_2021)).content.decode()
    assert "取り込めません（1件の誤り）" in body
    assert "3行目：総人口：「２万」" in body
    assert _token(body) is None
    assert _actuals().count() == before


def test_the_import_service_rolls_back_every_row_when_one_fails(strategy, bob):
    before = _actuals().count()
    rows = [
        YearFigures(2020, "住民基本台帳", {"total": Decimal("24512")}),
        YearFigures(2015, "国勢調査", {"total": Decimal("27000")}),  # the document's figure
    ]
    with pytest.raises(PopulationEntryError):
        import_year_figures(strategy=strategy, rows=rows, user=bob)
    assert _actuals().count() == before
    assert not _actuals().filter(year=2020).exists()


def test_it_refuses_a_changed_document_figure_in_the_preview(client, strategy, bob):
    client.force_login(bob)
    row = [2015, "国勢調査", 27000, "", "", "", "", ""]
    body = _preview(client, _xlsx(ROW_2020, row)).content.decode()
    assert "2015年の総人口（26,917）は総合戦略の原文の数値のため" in body
    assert _token(body) is None


def test_it_accepts_a_cp932_csv_as_japanese_excel_writes_it(client, strategy, bob):
    client.force_login(bob)
    body = _preview(client, _csv(ROW_2021, encoding="cp932")).content.decode()
    assert _token(body), body
    client.post(URL, {"token": _token(body)})
    saved = _actuals().get(year=2021, category="working")
    assert (saved.value, saved.data_source) == (Decimal("12800"), "住民基本台帳")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_it_accepts_a_utf8_csv_with_or_without_bom(client, strategy, bob, encoding):
    client.force_login(bob)
    body = _preview(client, _csv(ROW_2020, encoding=encoding)).content.decode()
    assert _token(body), body


def _refusal(client, upload):
    before = _actuals().count()
    r = _preview(client, upload)
    assert r.status_code == 200
    body = r.content.decode()
    assert _token(body) is None
    assert "ファイルの内容は保存していません。" in body
    assert _actuals().count() == before
    return body


def test_it_refuses_a_macro_enabled_workbook(client, strategy, bob):
    client.force_login(bob)
    body = _refusal(client, _xlsx(ROW_2020, name="population.xlsm"))
    assert "マクロ付きのブック（.xlsm など）は受け付けません。" in body


def test_it_refuses_a_workbook_with_a_vba_project_renamed_to_xlsx(client, strategy, bob):
    client.force_login(bob)
    data = io.BytesIO(_xlsx(ROW_2020).read())
    with zipfile.ZipFile(data, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00" * 16)
    body = _refusal(client, SimpleUploadedFile("population.xlsx", data.getvalue()))
    assert "マクロを含むファイル（.xlsm など）は受け付けません。" in body


def test_it_refuses_a_file_that_is_not_excel(client, strategy, bob):
    client.force_login(bob)
    body = _refusal(client, SimpleUploadedFile("population.xlsx", b"not a workbook at all"))
    assert "Excelファイル（.xlsx）ではありません。" in body
    body = _refusal(client, SimpleUploadedFile("population.pdf", b"%PDF-1.4"))
    assert "Excelファイル（.xlsx）またはCSVファイル（.csv）を選んでください。" in body


def test_it_refuses_a_file_over_2mb(client, strategy, bob):
    client.force_login(bob)
    big = SimpleUploadedFile("population.csv", b"a" * (2 * 1024 * 1024 + 1))
    body = _refusal(client, big)
    assert "ファイルが大きすぎます" in body and "2MB以下" in body


def test_it_refuses_wrong_headers(client, strategy, bob):
    client.force_login(bob)
    headers = ["年", "出所"] + HEADERS[2:]
    body = _refusal(client, _xlsx(ROW_2020, headers=headers))
    assert "1行目の見出しがテンプレートと異なります。「データの出所」の列が見つかりません。" in body


def test_it_refuses_formulas(client, strategy, bob):
    client.force_login(bob)
    row = [2020, "住民基本台帳", "=C3+1", 2301, 13010, 9001, 1802, 1.42]
    body = _refusal(client, _xlsx(row))
    assert "シート「人口実績」の C2 セルに数式があります。" in body
    body = _refusal(client, _csv(row))
    assert "2行目 C列に数式があります。" in body


def test_it_refuses_a_csv_in_another_encoding(client, strategy, bob):
    client.force_login(bob)
    body = _refusal(client, _csv(ROW_2020, encoding="utf-16"))
    assert "CSVファイルの文字コード（UTF-16 など）を読み取れません。" in body
    broken = SimpleUploadedFile("population.csv", ",".join(HEADERS).encode() + b"\n\x81\x7f")
    body = _refusal(client, broken)
    assert "CSVファイルの文字コードを読み取れません。UTF-8 または Shift_JIS（CP932）" in body


def test_it_refuses_an_old_xls_and_an_empty_file(client, strategy, bob):
    client.force_login(bob)
    assert ".xls 形式は読み取れません" in _refusal(
        client, SimpleUploadedFile("population.xls", b"\xd0\xcf\x11\xe0")
    )
    empty = Workbook()
    out = io.BytesIO()
    empty.save(out)
    assert "ファイルが空です" in _refusal(client, SimpleUploadedFile("p.xlsx", out.getvalue()))


def test_it_refuses_a_tampered_or_foreign_preview(client, strategy, bob, dave):
    client.force_login(bob)
    body = _preview(client, _xlsx(ROW_2020)).content.decode()
    token = _token(body)
    before = _actuals().count()
    r = client.post(URL, {"token": token[:-3] + "abc"})
    assert "確認画面の内容を読み取れません。" in r.content.decode()
    client.force_login(dave)
    assert client.post(URL, {"token": token}).status_code == 403
    assert _actuals().count() == before


def test_a_replayed_commit_token_does_not_revert_a_later_correction(client, strategy, bob):
    """issue 14: the signed token could be posted again within the hour, putting back the
    uploaded figures over a correction made since. One preview, one commit."""
    client.force_login(bob)
    token = _token(_preview(client, _xlsx(ROW_2020)).content.decode())
    assert client.post(URL, {"token": token}).status_code == 302
    corrected = _actuals().get(year=2020, category="total")
    corrected.value = Decimal("24600")  # a later correction (the entry form writes the same row)
    corrected.save()
    r = client.post(URL, {"token": token})
    assert r.status_code == 200
    assert "もう一度アップロードしてください" in r.content.decode()
    assert _actuals().get(year=2020, category="total").value == Decimal("24600")
