"""A signed-in account with no role (入力担当・事務局・有識者・管理者) sees nothing but a refusal.

Anonymous users are sent to the login page by each view's @login_required; this covers the other
gap: someone who can sign in but was never given a role, so no view has to remember to check."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from kpis import roles
from kpis.access import Access

OPEN_PREFIXES = ("/login/", "/logout/", "/static/", "/healthz", "/api/", "/admin/")
STRATEGY_PREFIX = "/strategies/"


class RoleRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The path first: open paths (a health check, static files) cost no session or user query.
        if request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        user = request.user
        if user.is_authenticated and not roles.role_labels(user):
            return render(request, "no_role.html", status=403)
        return self.get_response(request)


class StrategyAccessMiddleware:
    """Every page under /strategies/<code>/ gets `request.access` (kpis.access.Access) before its
    view runs: the one place that resolves the strategy of the URL. An unknown strategy, and one
    in preparation for anyone but an administrator, is 404 whatever the view; anonymous users go
    to the login page first (so the answer does not tell them which codes exist)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if "code" not in view_kwargs or not request.path.startswith(STRATEGY_PREFIX):
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        request.access = Access.for_code(request.user, view_kwargs["code"])
        return None
