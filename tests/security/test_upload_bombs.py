"""Upload bombs (issue 14): small files whose sheets claim a huge extent. Each is refused with a
Japanese message by its real extent (kpis.excel.reader.check_extent) before openpyxl iterates,
within a bounded time and memory, and nothing is stored. The numbers are printed (-s) so the
report can quote them; the bounds asserted are generous (a busy 2-core machine)."""

import re
import time
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpis.models import Actual
from population.importers import template_workbook
from population.models import PopulationFigure
from tests.security.bombs import BOMBS, REFUSED
from tests.security.conftest import OPEN_YEAR

pytestmark = pytest.mark.django_db
CODE = "nemuro-2"
MAX_SECONDS = 3.0
MAX_PEAK_MB = 64
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))[-800:]


def _measure(post):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        response = post()
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    return response, seconds, peak


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_an_entry_template_bomb_is_refused_quickly(client, world, bomb):
    client.force_login(world["users"]["alice"])
    args = [CODE, OPEN_YEAR, world["fisheries"].pk]
    template = client.get(reverse("excel_template", args=args)).content
    content = BOMBS[bomb](template)
    assert len(content) <= 2 * 1024 * 1024, len(content)
    before = Actual.objects.count(), Actual.history.count()
    upload = SimpleUploadedFile("入力済み.xlsx", content, content_type=XLSX)
    response, seconds, peak = _measure(
        lambda: client.post(reverse("excel_import", args=args), {"preview": "1", "file": upload})
    )
    print(f"\nentry {bomb}: {len(content) / 1024:.1f} KB, {seconds:.2f} s, peak {peak:.1f} MB")
    assert response.status_code == 200
    assert REFUSED.search(response.content.decode()), _text(response)
    assert 'name="token"' not in response.content.decode()
    assert (Actual.objects.count(), Actual.history.count()) == before
    assert seconds < MAX_SECONDS and peak < MAX_PEAK_MB, (seconds, peak)


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_a_population_workbook_bomb_is_refused_quickly(client, world, bomb):
    client.force_login(world["users"]["bob"])
    content = BOMBS[bomb](template_workbook())
    before = PopulationFigure.objects.count()
    upload = SimpleUploadedFile("population.xlsx", content)
    url = reverse("population_upload", args=[CODE])
    response, seconds, peak = _measure(lambda: client.post(url, {"file": upload}))
    print(f"\npopulation {bomb}: {len(content) / 1024:.1f} KB, {seconds:.2f} s, peak {peak:.1f} MB")
    assert response.status_code == 200
    assert REFUSED.search(response.content.decode()), _text(response)
    assert PopulationFigure.objects.count() == before
    assert seconds < MAX_SECONDS and peak < MAX_PEAK_MB, (seconds, peak)
