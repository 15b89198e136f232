from django.contrib import admin

from population.models import (
    DeclineSuppression,
    PopulationFigure,
    PopulationPoint,
    PopulationTarget,
)


@admin.register(PopulationFigure)
class PopulationFigureAdmin(admin.ModelAdmin):
    list_display = ["source", "year", "category", "value", "is_implied", "data_source"]
    list_filter = ["strategy", "source", "category", "is_implied"]
    search_fields = ["source_line", "data_source"]


@admin.register(PopulationTarget)
class PopulationTargetAdmin(admin.ModelAdmin):
    list_display = ["term", "year", "total", "suppressed_decline"]
    list_filter = ["strategy", "term"]
    search_fields = ["source_line"]


@admin.register(PopulationPoint)
class PopulationPointAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "current_value", "target_value", "suppressed_decline"]
    list_filter = ["strategy", "category"]
    search_fields = ["title", "description"]


@admin.register(DeclineSuppression)
class DeclineSuppressionAdmin(admin.ModelAdmin):
    list_display = ["strategy", "natural", "social", "total"]
    list_filter = ["strategy"]
    search_fields = ["source_line"]
