from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkersConfig(AppConfig):
    name = "workers"
    verbose_name = _("Grid workers")

    def ready(self):
        from .reference import ensure_roles_and_duties

        # Reference data survives database flushes (transactional tests), like permissions do.
        post_migrate.connect(ensure_roles_and_duties, sender=self, dispatch_uid="workers.roles_and_duties")
