from django.contrib.admin.apps import AdminConfig


class MotcuaAdminConfig(AdminConfig):
    default_site = "motcua.accounts.admin_site.MotcuaAdminSite"
