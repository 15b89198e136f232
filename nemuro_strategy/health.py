"""/healthz: the trivial view. Plain text "ok", no database query, no login.

For a load balancer's health check and as the baseline the benchmark (scripts/bench.py) divides
every page's server time by: the fixed cost of one request through the same middleware stack."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
@login_required
def shell(request):
    """/healthz/shell: a signed-in page rendering only the site's shell (base.html: session,
    user, roles, navigation). The floor every signed-in page pays; scripts/bench.py divides the
    dashboard's first request after a write by it."""
    return render(request, "shell.html")


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: the icon, never a 404. Resolved per
    request, not at import, so a missing static manifest cannot stop the URL configuration."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
