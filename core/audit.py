from django.db import models

from .models import AuditLog


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR")


def audit_record(
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    field: str = "",
    reason: str = "",
    request=None,
    username: str = "",
) -> AuditLog:
    return AuditLog.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        username=username or (actor.get_username() if actor is not None and actor.is_authenticated else ""),
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        field=field,
        reason=reason,
        ip_address=client_ip(request),
    )
