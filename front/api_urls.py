"""/api/: the versioned open-data API. v1 is front/api.py; its schema is /api/v1/openapi.json."""

from django.urls import path

from front.api import api, docs_page

urlpatterns = [
    path("v1/docs", docs_page, name="api-v1-docs"),
    path("v1/", api.urls),
]
