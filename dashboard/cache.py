"""Rendered dashboard bodies, cached per database snapshot (PostgreSQL only).

Why: the overview grades every indicator and renders ~95 KB for each council member who opens
it, while the data behind it changes a few times a day outside the entry season
(docs/benchmarks.md: 26 ms → 3 ms).

Why the key cannot go stale: PostgreSQL's pg_current_snapshot() names exactly which committed
transactions a query sees, so two requests under the same snapshot read the same data, whatever
wrote it (a form, the Excel import, the admin, a revision, a restore, psql). Any commit anywhere
on the server gives a new snapshot and so a new key: the cache only helps between writes, which
is when reading happens. The snapshot is read before the data, so a body is never older than its
key. A transaction that has written (txid_current_if_assigned() is set) sees its own uncommitted
rows, which no snapshot describes: nothing is cached there. SQLite (the first-run database) has
no such snapshot: nothing is cached.

One assumption: the server's transaction ids only move forward. A point-in-time restore of the
cluster, or a failover to a replica that was behind, can give an old snapshot text new data; the
cache lives in the worker processes, so restart the application after either (the README's
restore procedure does), and TIMEOUT bounds what a forgotten restart could show.
"""

import hashlib

from django.core.cache import cache
from django.db import connection

TIMEOUT = 600  # seconds; only bounds memory, never correctness


def snapshot() -> str | None:
    """The snapshot this request's next query will see, or None when caching is not safe."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as c:
        c.execute("SELECT pg_current_snapshot()::text, txid_current_if_assigned()")
        snap, own_xid = c.fetchone()
    return None if own_xid is not None else snap


def cached(snap: str | None, parts: tuple, compute):
    """compute() once per (snapshot, parts); parts name everything else the result depends on."""
    if snap is None:
        return compute()
    key = "dashboard:" + hashlib.sha256(repr((snap, *parts)).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
