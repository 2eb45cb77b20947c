from django.conf import settings
from django.core.checks import Warning, register


@register()
def pii_keys_configured(app_configs, **kwargs):
    if settings.DEBUG or settings.PII_ENCRYPTION_KEYS:
        return []
    return [
        Warning(
            "PII_ENCRYPTION_KEYS is not set: personal data is encrypted with a key derived from SECRET_KEY.",
            hint="Set PII_ENCRYPTION_KEYS (Fernet keys) and PII_HASH_KEY in the environment.",
            id="core.W001",
        )
    ]
