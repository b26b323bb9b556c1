from django.contrib.admin.apps import AdminConfig


class MotcuaAdminConfig(AdminConfig):
    default_site = "motcua.core.admin_site.MotcuaAdminSite"
