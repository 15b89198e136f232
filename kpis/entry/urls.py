from django.urls import path

from kpis.entry import views

urlpatterns = [
    path("entry/", views.entry_index, name="entry_index"),
    path("entry/<int:fiscal_year>/<int:department_id>/", views.entry, name="entry"),
    path("status/", views.status_index, name="status_index"),
    path("status/<int:fiscal_year>/", views.status_board, name="status_board"),
    path("status/<int:fiscal_year>/confirm/", views.confirm, name="status_confirm"),
    path(
        "status/<int:fiscal_year>/return/<int:actual_id>/",
        views.return_actual,
        name="status_return",
    ),
    path("status/<int:fiscal_year>/lock/", views.lock, name="status_lock"),
    path("status/<int:fiscal_year>/reopen/", views.reopen, name="status_reopen"),
    path("status/<int:fiscal_year>/deadline/", views.deadline, name="status_deadline"),
    path("assignments/", views.assignments, name="assignments"),
]
