from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessment")

    def ready(self):
        from accounts.roles import sync_role_groups

        # The role groups are synced when accounts migrates, before this app's permissions exist; sync again
        # once they do.
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="assessment.sync_role_groups")
