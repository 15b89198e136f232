"""Council dashboards, under /strategies/<code>/dashboard/."""

from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.overview, name="dashboard_overview"),
    path("goals/<int:number>/", views.goal, name="dashboard_goal"),
    path("policies/<int:pk>/", views.policy, name="dashboard_policy"),
    path("measures/<int:pk>/", views.measure, name="dashboard_measure"),
    path("indicators/<int:pk>/", views.indicator, name="dashboard_indicator"),
    path("indicators/<int:pk>/restore/", views.restore_actual, name="dashboard_restore_actual"),
]
