from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kpis import views as kpi_views

urlpatterns = [
    path("", kpi_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("strategies/<slug:code>/", kpi_views.strategy_detail, name="strategy"),
    path("strategies/<slug:code>/population/", include("population.urls")),
    path("admin/", admin.site.urls),
]
