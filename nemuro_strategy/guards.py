"""Request guards that hold for every URL (kpis/access.py decides who may do what; these decide
what no request may carry or keep):

- RefuseNulMiddleware: a NUL character in the path, a query parameter or a form field is refused
  with a Japanese 400 before any view runs. PostgreSQL cannot store or compare text with NUL (the
  query fails: a 500 after the view may already have written), and no field of ours means one.
- PrivateApiMiddleware: answers of /api/ depend on the session (the reader's role decides which
  actuals it sees), so shared caches must not keep them: `Cache-Control: private`.
- IdleTimeoutMiddleware: a signed-in session idle for SESSION_IDLE_TIMEOUT seconds is logged out.
  The last activity is written at most every SESSION_IDLE_REFRESH seconds (not on every request).
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

NUL_MESSAGE = "使用できない文字（NUL）が含まれているため受け付けられません。何も変更していません。"
LAST_ACTIVITY = "last_activity"


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    if any("\x00" in k or "\x00" in v for k, values in request.GET.lists() for v in [k, *values]):
        return True
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return any(
            "\x00" in k or any("\x00" in v for v in values) for k, values in request.POST.lists()
        )
    return False


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": NUL_MESSAGE}, status=400, json_dumps_params={"ensure_ascii": False}
                )
            return render(request, "400.html", {"message": NUL_MESSAGE}, status=400)
        return self.get_response(request)


class PrivateApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            patch_cache_control(response, private=True)
        return response


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(("/healthz", "/static/")):  # no session, no query
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)  # the API answers as to the public
                return redirect_to_login(request.get_full_path())
            if last is None or now - last >= settings.SESSION_IDLE_REFRESH:
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)


def stamp_login(sender, request, user, **kwargs):
    """user_logged_in: the session starts active (so the first page after login writes nothing)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


def client_ip(request) -> str | None:
    """The client's address for django-axes (AXES_CLIENT_IP_CALLABLE). Behind the README's
    reverse proxy REMOTE_ADDR is the proxy's for everyone, so five wrong passwords from anywhere
    locked the account for everyone. With TRUSTED_PROXY_COUNT = N (the proxies in front of
    gunicorn, each appending to X-Forwarded-For), the client is the N-th address from the right:
    what the outermost trusted proxy saw, which a client cannot forge (addresses it sends itself
    are further left). 0 (the default, no proxy): REMOTE_ADDR."""
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    return forwarded[-count] if len(forwarded) >= count else remote
