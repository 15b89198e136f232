"""manage.py strategy_workbook: blank / export / import, for an installation with no strategy."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kpis.models import Indicator, Strategy
from revisions.models import Revision
from tests.workbook_helpers import CODE, ROWS, filled

pytestmark = pytest.mark.django_db


def test_a_blank_template_filled_in_is_imported_from_the_command_line(tmp_path, dave):
    blank = tmp_path / "blank.xlsx"
    call_command("strategy_workbook", "blank", str(blank), stdout=StringIO())
    path = tmp_path / "filled.xlsx"
    path.write_bytes(filled(blank.read_bytes()).getvalue())
    out = StringIO()
    call_command("strategy_workbook", "import", str(path), "--user", "dave", stdout=out)
    assert f"（{CODE}）を作成しました" in out.getvalue()
    strategy = Strategy.objects.get(code=CODE)
    assert Indicator.objects.filter(basic_goal__strategy=strategy).count() == 3
    assert Revision.objects.get(strategy=strategy, number=1).is_draft


def test_a_refused_workbook_prints_where_and_saves_nothing(tmp_path, dave):
    data = {k: [dict(r) for r in v] for k, v in ROWS.items()}
    data["KPI"][2]["目標年度"] = 2035
    path = tmp_path / "wrong.xlsx"
    path.write_bytes(filled(data=data).getvalue())
    with pytest.raises(CommandError) as refused:
        call_command("strategy_workbook", "import", str(path), "--user", "dave")
    assert "「KPI」シート4行目「目標年度」列" in str(refused.value)
    assert not Strategy.objects.filter(code=CODE).exists()


def test_it_exports_a_strategy_and_a_published_revision(tmp_path, strategy):
    for args in ((), ("--revision", "1")):
        path = tmp_path / "out.xlsx"
        call_command("strategy_workbook", "export", "nemuro-2", str(path), *args, stdout=StringIO())
        assert path.read_bytes().startswith(b"PK")
    with pytest.raises(CommandError, match="公開済みの第9版はありません"):
        call_command("strategy_workbook", "export", "nemuro-2", str(path), "--revision", "9")
