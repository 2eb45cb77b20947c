from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from accounts.roles import sync_role_groups

        # Permissions are created app by app after migrate; this app's exist only once its own
        # post_migrate has run, so the role groups are synced again then.
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="incidents.sync_role_groups")
