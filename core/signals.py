from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit_record
from .models import AuditLog


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    audit_record(action=AuditLog.Action.LOGIN, actor=user, request=request)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditLog.Action.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        action=AuditLog.Action.LOGIN_FAILED,
        username=str(credentials.get("username", ""))[:150],
        request=request,
    )
