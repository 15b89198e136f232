from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from front import views as front_views
from nemuro_strategy import health
from nemuro_strategy.forms import LoginForm

strategy_patterns = [
    path("", front_views.strategy_detail, name="strategy"),
    path("", include("kpis.entry.urls")),  # entry, status board, assignments
    path("dashboard/", include("dashboard.urls")),  # overview, drill-down, indicator pages
    path("excel/", include("kpis.excel.urls")),  # templates, import, export
    path("projects/", include("projects.urls")),
    path("population/", include("population.urls")),
    path("council/", include("council.urls")),  # opinions, review pack
    path("revisions/", include("revisions.urls")),  # 改訂: drafts, publishing, comparison
]

urlpatterns = [
    path("", front_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/shell", health.shell, name="healthz_shell"),
    # Browsers and feed readers ask for /favicon.ico whatever the page links: never a 404.
    path("favicon.ico", health.favicon, name="favicon"),
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("strategies/<slug:code>/", include(strategy_patterns)),
    path("api/", include("front.api_urls")),
    path("admin/", admin.site.urls),
]
