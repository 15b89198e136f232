"""Revisions (改訂), under /strategies/<code>/revisions/."""

from django.urls import path

from revisions import import_views, views
from revisions.workbook import views as workbook

urlpatterns = [
    path("", views.revision_list, name="revision_list"),
    path("new/", views.revision_create, name="revision_create"),
    path("compare/", views.compare, name="revision_compare"),
    path("compare/xlsx/", views.compare_xlsx, name="revision_compare_xlsx"),
    path("next/", views.next_strategy, name="revision_next_strategy"),
    path("workbook.xlsx", workbook.workbook_export, name="strategy_workbook_export"),
    path("workbook/template.xlsx", workbook.workbook_template, name="strategy_workbook_template"),
    path("workbook/import/", workbook.workbook_import, name="strategy_workbook_import"),
    # An edited workbook of this strategy as a draft revision (revisions/import_views.py).
    path("workbook/revision/", import_views.import_workbook, name="revision_import"),
    path("workbook/revision/confirm/", import_views.import_confirm, name="revision_import_confirm"),
    path("<int:number>/", views.revision_detail, name="revision_detail"),
    path("<int:number>/edit/", views.revision_edit, name="revision_edit"),
    path("<int:number>/publish/", views.revision_publish, name="revision_publish"),
    path("<int:number>/discard/", views.revision_discard, name="revision_discard"),
    path("<int:number>/changes/<slug:op>/", views.change_form, name="revision_change"),
    path("<int:number>/changes/<int:pk>/undo/", views.change_undo, name="revision_change_undo"),
]
