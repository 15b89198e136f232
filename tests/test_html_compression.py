"""HTML is sent gzip-compressed when the browser asks (Django's GZipMiddleware, issue 11), with
Django's BREACH mitigation (random padding in the gzip header of every response). Static files
are compressed by collectstatic and whitenoise instead (tests/test_static_files.py)."""

import gzip
import json

from django.urls import reverse


def _gzip_name_length(body):
    """Length of the FNAME field of a gzip member: where Django puts its random padding."""
    assert body[:2] == b"\x1f\x8b" and body[3] & 0x08  # gzip, with a file name field
    return body.index(b"\x00", 10) - 10


def test_it_sends_a_signed_in_page_gzip_when_the_browser_asks(client, charlie, strategy):
    client.force_login(charlie)
    url = reverse("dashboard_overview", args=[strategy.code])
    r = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert r.status_code == 200
    assert r["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in r["Vary"]  # a cache must not give it to a browser without gzip
    html = gzip.decompress(r.content).decode()
    assert "沿岸漁業における生産量" in html and html.rstrip().endswith("</html>")
    assert len(r.content) * 4 < len(html.encode())  # table markup compresses well
    assert int(r["Content-Length"]) == len(r.content)


def test_it_sends_plain_html_to_a_client_that_does_not_ask(client, charlie, strategy):
    client.force_login(charlie)
    r = client.get(reverse("dashboard_overview", args=[strategy.code]))
    assert r.status_code == 200
    assert not r.has_header("Content-Encoding")
    assert "沿岸漁業における生産量" in r.content.decode()


def test_every_compressed_response_is_padded_against_breach(client, db):
    """Django ≥ 4.2: 0–99 random bytes in the gzip header, so the length of a response no longer
    tells an attacker whether a guessed secret compressed well (BREACH)."""
    lengths = set()
    for _ in range(20):
        r = client.get("/login/", HTTP_ACCEPT_ENCODING="gzip")
        assert r["Content-Encoding"] == "gzip"
        lengths.add(_gzip_name_length(r.content))
    assert len(lengths) > 1  # 20 equal draws out of 100: never, in practice


def test_the_api_answers_gzip_too_when_asked_and_the_json_is_the_same(client, strategy):
    url = f"/api/v1/strategies/{strategy.code}/tree"
    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert not plain.has_header("Content-Encoding")
    assert packed["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
