from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "総合戦略・指標"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from nemuro_strategy.guards import stamp_login

        # Session plumbing, not business logic: the idle timeout's clock starts at login.
        user_logged_in.connect(stamp_login, dispatch_uid="nemuro_idle_stamp")
