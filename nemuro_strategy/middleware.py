"""Server-Timing header (off unless SERVER_TIMING=1): how long Django took for the request and how
much of it went to SQL, for scripts/bench.py and scripts/loadtest.py (and a browser's dev tools).

    Server-Timing: db;dur=3.412;desc="12 queries", cpu;dur=11.020, app;dur=15.873

`app` is the wall time from this middleware (first in MIDDLEWARE) to the finished response, so it
includes every other middleware, the view and the template rendering; for a streaming response it
stops before the body is streamed. `db` is the time spent in SQL queries, `cpu` the CPU time of the
thread (on a busy machine `app` also counts the time spent waiting for a core; `cpu` does not). Off by default: the numbers tell an outsider how long a query
took, which a production server has no reason to publish."""

import os
import time

from django.core.exceptions import MiddlewareNotUsed
from django.db import connections


def enabled() -> bool:
    return os.environ.get("SERVER_TIMING", "0").lower() in ("1", "true", "yes", "on")


class _QueryTimer:
    """A connection.execute_wrapper that counts queries and adds up their time."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


class ServerTimingMiddleware:
    def __init__(self, get_response):
        if not enabled():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        timer = _QueryTimer()
        start, cpu_start = time.perf_counter(), time.thread_time()
        wrappers = [connections[alias].execute_wrapper(timer) for alias in connections]
        for w in wrappers:
            w.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for w in reversed(wrappers):
                w.__exit__(None, None, None)
        app_ms = (time.perf_counter() - start) * 1000
        cpu_ms = (time.thread_time() - cpu_start) * 1000
        response["Server-Timing"] = (
            f'db;dur={timer.seconds * 1000:.3f};desc="{timer.count} queries", '
            f"cpu;dur={cpu_ms:.3f}, app;dur={app_ms:.3f}"
        )
        return response
