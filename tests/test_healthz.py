"""GET /healthz: the trivial view (load balancer health check, the benchmark's baseline)."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_it_answers_ok_without_login_and_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]


def test_it_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405


def test_it_costs_no_query_even_with_a_session(client, charlie, django_assert_num_queries):
    client.force_login(charlie)
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200
