from django.apps import AppConfig


class CouncilConfig(AppConfig):
    name = "council"
    verbose_name = "有識者会議（意見・効果検証）"
