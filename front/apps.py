from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "front"
    verbose_name = "画面・API・読み込み"
