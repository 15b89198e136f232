"""Property-based check of the whole API against its own OpenAPI schema (schemathesis, in-process
through WSGI): for generated requests to every endpoint, no server error and every response
(status, content type, body) conforms to the schema. Runs for the public and for a staff session,
with actuals of locked and open years, drafts and a 測定不能 row in the database."""

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kpis.models import Actual
from tests.api_helpers import add_actual, lock

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# Loaded at import (the schema needs no database); schemathesis.pytest.from_fixture would load it
# lazily but does not work with pytest 9 (it sets the removed `Node._nodeid`).
# The WSGI client sends `Host: localhost`.
with override_settings(ALLOWED_HOSTS=["localhost"]):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())

# Random slugs and years mostly hit the 404/422 answers; half of the generated requests use real
# codes and years of the strategy instead, so the 200 answers with figures are checked too.
KNOWN_INDICATORS = ["1-N1", "1-ア-1-1", "1-ア-1-2", "1-ア-1-4", "2-N1"]


@schema.hook
def before_generate_path_parameters(context, strategy):
    if "{code}" not in context.operation.path:
        return strategy
    known = {"code": st.just("nemuro-2")}
    if "{indicator_code}" in context.operation.path:
        known["indicator_code"] = st.sampled_from(KNOWN_INDICATORS)
    return st.one_of(st.fixed_dictionaries(known), strategy)


@schema.hook
def before_generate_query(context, strategy):
    if not any(p.name == "fiscal_year" for p in context.operation.query):
        return strategy
    years = st.fixed_dictionaries({}, optional={"fiscal_year": st.integers(2021, 2024)})
    return st.one_of(years, strategy)


@pytest.fixture
def api_data(db, strategy, settings):
    """Rows for the responses to show. Like Django's test client, keep the WSGI handler from
    closing the connection at the end of each request (PostgreSQL would lose the test's
    transaction)."""
    settings.ALLOWED_HOSTS = ["localhost"]
    lock(strategy, 2021)
    add_actual("1-ア-1-1", 2021, "24000")
    add_actual("1-ア-1-1", 2022, "25500.25", status=Actual.Status.DRAFT)
    add_actual("1-ア-1-2", 2021, "4")
    add_actual("2-N1", 2021, "2.31")
    add_actual("1-N1", 2021, None, not_measurable=True, not_measurable_reason="調査なし")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_cookie(api_data, client, bob):
    client.force_login(bob)
    return {
        django_settings.SESSION_COOKIE_NAME: client.cookies[
            django_settings.SESSION_COOKIE_NAME
        ].value
    }


# schemathesis's WSGI client asks for gzip like `requests` does but does not decompress the
# answer (GZipMiddleware compresses every answer a client asks it for, JSON included; real HTTP
# clients decompress): these checks are about the content, so ask for it uncompressed.
# tests/test_html_compression.py checks the compressed API answer.
PLAIN = {"Accept-Encoding": "identity"}

BOUNDED = hypothesis_settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@schema.parametrize()
@BOUNDED
def test_it_conforms_to_its_schema_for_the_public(case, api_data):
    case.call_and_validate(checks=CHECKS, headers=PLAIN)


@schema.parametrize()
@BOUNDED
def test_it_conforms_to_its_schema_for_a_staff_session(case, staff_cookie):
    case.call_and_validate(checks=CHECKS, cookies=staff_cookie, headers=PLAIN)
