from django.urls import path

from kpis.excel import views

urlpatterns = [
    path(
        "template/<int:fiscal_year>/<int:department_id>/",
        views.template_download,
        name="excel_template",
    ),
    path(
        "import/<int:fiscal_year>/<int:department_id>/",
        views.import_actuals,
        name="excel_import",
    ),
    path("export.xlsx", views.export_xlsx, name="excel_export_xlsx"),
    path("export.csv", views.export_csv, name="excel_export_csv"),
]
