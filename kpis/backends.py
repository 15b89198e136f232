"""管理者 (administrator) group members hold every permission in the Django admin.

Roles are groups (kpis/roles.py); this keeps the admin in line with them instead of maintaining a
second list of per-model permissions."""

from django.contrib.auth.backends import BaseBackend

from kpis.access import Access


class AdministratorBackend(BaseBackend):
    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_active and user_obj.is_staff and Access(user_obj).is_admin

    def has_module_perms(self, user_obj, app_label):
        return self.has_perm(user_obj, app_label)
