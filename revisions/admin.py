"""Django admin for revisions. Undo of a published edit: the history page of an indicator,
project, target row (目標値（適用年度別）) or lifecycle row has django-simple-history's
「元に戻す」 (revert), which saves the old values as a new history row."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kpis.models import IndicatorTarget
from revisions.models import ListingLifecycle, ProjectLifecycle, Revision, RevisionChange


class RevisionChangeInline(admin.TabularInline):
    model = RevisionChange
    extra = 0
    fields = [
        "kind",
        "object_key",
        "action",
        "field",
        "old_value",
        "new_value",
        "effective_from_year",
        "needs_review",
        "author",
        "updated_at",
    ]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # changes are made on the revision pages, where the rules apply


@admin.register(Revision)
class RevisionAdmin(SimpleHistoryAdmin):
    list_display = ["strategy", "number", "title", "decided_by", "decided_on", "status"]
    list_filter = ["strategy", "status", "decided_by"]
    search_fields = ["title", "reason"]
    readonly_fields = [
        "strategy",
        "number",
        "status",
        "created_by",
        "created_at",
        "published_by",
        "published_at",
        "version",
    ]
    fields = ["title", "reason", "decided_by", "decided_on", *readonly_fields]
    inlines = [RevisionChangeInline]

    def has_add_permission(self, request):
        return False  # opened on the revision pages (numbering, one draft at a time)

    def has_delete_permission(self, request, obj=None):
        return False  # a published revision is a record; a draft is discarded on its page


@admin.register(RevisionChange)
class RevisionChangeAdmin(SimpleHistoryAdmin):
    list_display = ["revision", "kind", "object_key", "action", "field", "author", "updated_at"]
    list_filter = ["revision__strategy", "kind", "action", "needs_review"]
    search_fields = ["object_key", "note"]
    list_select_related = ["revision", "author"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # edited on the revision pages, where the rules and locking apply


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(SimpleHistoryAdmin):
    list_display = [
        "indicator",
        "effective_from_year",
        "target_value",
        "target_fiscal_year",
        "baseline_value",
        "revision",
    ]
    list_filter = ["indicator__basic_goal__strategy", "effective_from_year", "revision"]
    search_fields = ["indicator__name", "indicator__code"]
    list_select_related = ["indicator", "revision"]
    autocomplete_fields = ["indicator"]


@admin.register(ProjectLifecycle)
class ProjectLifecycleAdmin(SimpleHistoryAdmin):
    list_display = ["project", "introduced_from_year", "retired_from_year"]
    search_fields = ["project__name"]
    autocomplete_fields = ["project"]


@admin.register(ListingLifecycle)
class ListingLifecycleAdmin(SimpleHistoryAdmin):
    list_display = ["listing", "introduced_from_year", "retired_from_year"]
    search_fields = ["listing__project__name"]
