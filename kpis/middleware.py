"""A signed-in account with no role (入力担当・事務局・有識者・管理者) sees nothing but a refusal.

Anonymous users are sent to the login page by each view's @login_required; this covers the other
gap: someone who can sign in but was never given a role, so no view has to remember to check."""

from django.shortcuts import render

from kpis import roles

OPEN_PREFIXES = ("/login/", "/logout/", "/static/", "/healthz", "/api/", "/admin/")


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
