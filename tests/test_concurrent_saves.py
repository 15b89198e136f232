"""Two clerks saving the same actual at the same moment: one wins, the other is told (PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from front.loading import load_strategy
from kpis import services
from kpis.entry.rules import EntryValues
from kpis.models import Actual, Indicator

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a server with row locks"
)


def _values(v):
    return EntryValues(Decimal(v), False, "", None, "", "", False)


@pytest.mark.django_db(transaction=True)
def test_it_keeps_exactly_one_of_two_simultaneous_saves(alice, bob):
    load_strategy()
    ind = Indicator.objects.get(code="1-ア-1-1")
    first = services.save_actual(
        indicator=ind, fiscal_year=2021, user=alice, values=_values("1"), expected_version=0
    )
    barrier = threading.Barrier(2)
    outcomes = {}

    def save(user, value):
        barrier.wait()
        try:
            services.save_actual(
                indicator=ind,
                fiscal_year=2021,
                user=user,
                values=_values(value),
                expected_version=first.version,
            )
            outcomes[value] = "saved"
        except services.StaleEdit as e:
            outcomes[value] = e.message
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(u, v)) for u, v in [(alice, "100"), (bob, "200")]
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o == "saved" for o in outcomes.values()) == [False, True]
    winner = next(v for v, o in outcomes.items() if o == "saved")
    loser_message = next(o for o in outcomes.values() if o != "saved")
    actual = Actual.objects.get()
    assert actual.value == Decimal(winner)
    assert actual.version == first.version + 1
    assert f"{Decimal(winner):,}" in loser_message  # the loser is shown the value that won


@pytest.mark.django_db(transaction=True)
def test_two_first_saves_of_a_new_actual_do_not_both_succeed(alice, bob):
    load_strategy()
    ind = Indicator.objects.get(code="1-ア-1-1")
    barrier = threading.Barrier(2)
    outcomes = []

    def save(user, value):
        barrier.wait()
        try:
            services.save_actual(
                indicator=ind,
                fiscal_year=2021,
                user=user,
                values=_values(value),
                expected_version=0,
            )
            outcomes.append("saved")
        except services.StaleEdit:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(u, v)) for u, v in [(alice, "1"), (bob, "2")]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["saved", "stale"]
    assert Actual.objects.count() == 1
