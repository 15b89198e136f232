from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kpis.admin import MeasureAdmin
from kpis.models import Measure
from projects.models import KeyProject, KeyProjectAction, Project, ProjectListing


class ProjectListingInline(admin.TabularInline):
    model = ProjectListing
    extra = 0
    autocomplete_fields = ["measure"]
    fields = ["measure", "order", "is_relisted", "description", "source_text"]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "is_priority", "fy2021", "is_private", "is_hokkaido", "partners"]
    list_filter = [
        "strategy",
        "is_priority",
        "fy2021",
        "is_private",
        "is_hokkaido",
        "measures__policy__basic_goal",
    ]
    search_fields = ["name", "description", "partners"]
    inlines = [ProjectListingInline]


@admin.register(ProjectListing)
class ProjectListingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "measure", "is_relisted"]
    list_filter = ["is_relisted", "measure__policy__basic_goal"]
    search_fields = ["project__name", "description"]
    list_select_related = ["project", "measure__policy__basic_goal"]


class KeyProjectActionInline(admin.TabularInline):
    model = KeyProjectAction
    extra = 0


@admin.register(KeyProject)
class KeyProjectAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "label", "subtitle"]
    list_filter = ["strategy"]
    search_fields = ["name", "label", "description"]
    inlines = [KeyProjectActionInline]


class ListingInline(admin.TabularInline):
    model = ProjectListing
    extra = 0
    autocomplete_fields = ["project"]
    fields = ["order", "project", "is_relisted", "description"]


# A measure's admin page lists its projects too; kpis registers the page without them because
# kpis (the foundation) imports nothing from projects, so this app adds its rows to it.
admin.site.unregister(Measure)


@admin.register(Measure)
class MeasureWithListingsAdmin(MeasureAdmin):
    inlines = [*MeasureAdmin.inlines, ListingInline]
