"""Publishing a revision holds the draft's row (SELECT … FOR UPDATE in _locked_draft) from its
check of the draft to its end, so an edit saved meanwhile is never published unseen. This drill
pauses a real publish after that lock, just before its first write, and tries to change the
draft's row from another connection (PostgreSQL): it has to wait."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from front.loading import load_strategy
from kpis.models import Strategy
from revisions import services
from revisions.models import Revision
from tests.revision_helpers import open_revision, target_change

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a server with row locks"
)


@pytest.mark.django_db(transaction=True)
def test_the_publish_holds_the_draft_it_checked_until_it_ends(dave):
    load_strategy()
    strategy = Strategy.objects.get(code="nemuro-2")
    revision = open_revision(strategy, dave)
    target_change(revision, dave)
    paused, go, published = threading.Event(), threading.Event(), []

    def pause_before_the_write(execute, sql, params, many, context):
        # The draft was read and checked; its first write comes: pause before it runs.
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            if not paused.is_set():
                paused.set()
                go.wait(10)
        return execute(sql, params, many, context)

    def run_publish():
        try:
            with connection.execute_wrapper(pause_before_the_write):
                published.append(services.publish_revision(revision=revision, user=dave))
        finally:
            connection.close()

    worker = threading.Thread(target=run_publish)
    worker.start()
    try:
        assert paused.wait(10), "the publish never reached its first write"
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            with connection.cursor() as c:
                c.execute("SET LOCAL lock_timeout = '300ms'")
            Revision.objects.filter(pk=revision.pk).update(title="横から変更")
    finally:
        go.set()
        worker.join(10)
    revision.refresh_from_db()
    assert published and revision.status == Revision.Status.PUBLISHED
    assert revision.title != "横から変更"
