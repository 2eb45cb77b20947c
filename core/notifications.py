"""In-app notifications (and SMS) for every app: escalations, reminders, mobilisation."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification
from .sms import send_sms


def notify(
    *,
    recipient,
    title: str,
    body: str = "",
    url: str = "",
    kind: str = "info",
    key: str = "",
    sms: bool = False,
) -> Notification | None:
    """Tell one user something. With a `key`, the same notification is never sent twice (returns None then).

    The SMS, if asked for, is sent after the surrounding transaction commits.
    """
    if recipient is None:
        return None
    if key and Notification.objects.filter(recipient=recipient, key=key).exists():
        return None
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                recipient=recipient, title=title[:200], body=body, url=url, kind=kind, key=key
            )
    except IntegrityError:
        return None  # a concurrent call with the same key won
    if sms and getattr(recipient, "phone", ""):
        phone, text = recipient.phone, f"{title} {body}".strip()[:300]

        def _send():
            send_sms(phone, text)
            Notification.objects.filter(pk=note.pk).update(sms_sent_at=timezone.now())

        transaction.on_commit(_send)
    return note


def notify_many(*, recipients, **kwargs) -> list[Notification]:
    return [n for r in recipients if (n := notify(recipient=r, **kwargs)) is not None]


def notification_mark_read(*, user, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
