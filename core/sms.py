"""Pluggable SMS sending. The default writes to the log; a real gateway is one class named in SMS_BACKEND."""

import logging
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("enyang_grid.sms")


class LogSmsBackend:
    sent: list[tuple[str, str]] = []  # kept in memory too, so tests can read what was "sent"

    def send(self, phone: str, text: str) -> None:
        from .pii import mask

        # The number is masked even in the log (DOMAIN §9: personal data never in logs).
        logger.info("SMS to %s: %s", mask(phone, "phone"), text)
        self.sent.append((phone, text))


@cache
def get_backend():
    return import_string(getattr(settings, "SMS_BACKEND", "core.sms.LogSmsBackend"))()


def send_sms(phone: str, text: str) -> None:
    if phone:
        get_backend().send(phone, text)
