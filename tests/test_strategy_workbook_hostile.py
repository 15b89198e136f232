"""Hostile strategy workbooks: the upload bombs of tests/security/bombs.py, built from the blank
template, are refused by the import page quickly and in bounded memory; random cell contents in
the KPI sheet either read or are refused with Japanese problems naming sheet, row and column,
never an exception (hypothesis, bounded examples)."""

import re
import time
import tracemalloc
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from kpis.models import Strategy
from revisions.workbook.export import blank_template
from revisions.workbook.reader import read_strategy_workbook
from tests.security.bombs import BOMBS, REFUSED
from tests.workbook_helpers import ROWS, filled

URL = "/strategies/nemuro-2/revisions/workbook/import/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.django_db
@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_a_strategy_workbook_bomb_is_refused_quickly(client, dave, bomb):
    content = BOMBS[bomb](blank_template())
    assert len(content) <= 2 * 1024 * 1024
    client.force_login(dave)
    assert client.get(URL).status_code == 200  # modules imported before the clock starts
    before = Strategy.objects.count()
    upload = SimpleUploadedFile("bomb.xlsx", content, content_type=XLSX)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = client.post(URL, {"file": upload})
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    print(
        f"\nstrategy workbook {bomb}: {len(content) / 1024:.1f} KB, {seconds:.2f} s, peak {peak:.1f} MB"
    )
    assert response.status_code == 200
    assert REFUSED.search(response.content.decode())
    assert "token" not in response.context
    assert Strategy.objects.count() == before
    assert seconds < 3.0 and peak < 64, (seconds, peak)


CELLS = st.one_of(
    st.none(),
    st.text(max_size=40).map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t)),
    st.sampled_from(
        ["=1+1", "▲１２", "1,2,3", "増加", "はい", "2029年度", "１，０００", "-", "'=x"]
    ),
    st.integers(min_value=-(10**16), max_value=10**16),
    st.floats(allow_nan=True, allow_infinity=False, width=64),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=6, max_value=10**14, min_value=-(10**14)
    ),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1)),
)
HEADERS = list(ROWS["KPI"][0])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.dictionaries(st.sampled_from(HEADERS), CELLS, max_size=6), row=st.integers(0, 2))
def test_random_kpi_cells_read_or_are_refused_in_japanese(cells, row):
    data = {k: [dict(r) for r in v] for k, v in ROWS.items()}
    data["KPI"][row].update(
        {k: (float(v) if isinstance(v, Decimal) else v) for k, v in cells.items()}
    )
    result = read_strategy_workbook(filled(data=data).getvalue())
    if result.snapshot is not None:
        assert result.errors == []
        assert len(result.snapshot["indicators"]) == 3
        return
    assert result.errors
    for problem in result.errors:
        assert JAPANESE.search(problem.message), problem
        assert problem.sheet == "KPI" and problem.row == row + 2 and problem.column in HEADERS, str(
            problem
        )
