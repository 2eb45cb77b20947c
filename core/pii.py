"""Protected personal data (DOMAIN §9): one mechanism for ID and phone numbers everywhere.

* `EncryptedCharField` stores a Fernet token; the model attribute holds the plain value in memory only.
* `BlindIndexField` stores a keyed HMAC of another field so exact look-ups work without decrypting.
* `mask()` is what every page, admin list, API response and export shows.
* `pii_reveal()` returns one value in full to a user with the reveal permission who gives a reason,
  and records the reveal in the audit log (who, what, when, why).
"""

import base64
import datetime as dt
import hashlib
import hmac
import re
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

REVEAL_PERMISSION = "core.reveal_personal_data"
MIN_REASON_LENGTH = 4


@cache
def _fernet() -> MultiFernet:
    keys = list(settings.PII_ENCRYPTION_KEYS)
    if not keys:
        # Development fallback: a key derived from SECRET_KEY (system check core.W001 warns in production).
        digest = hashlib.sha256(f"pii:{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def _hash_key() -> bytes:
    return (settings.PII_HASH_KEY or f"pii-hash:{settings.SECRET_KEY}").encode()


def normalise(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of the normalised value: the exact-match look-up key for an encrypted column."""
    value = normalise(value)
    if not value:
        return ""
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


class EncryptedCharField(models.TextField):
    """A text column holding a Fernet token; Python code sees the plain value."""

    def __init__(self, *args, kind: str = "text", **kwargs):
        self.kind = kind
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.kind != "text":
            kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(normalise(value) if self.kind in {"id", "phone"} else value) if value else ""

    def get_lookup(self, lookup_name):
        # Ciphertext is randomised: only isnull/exact-empty make sense; look-ups go through the blind index.
        if lookup_name not in {"isnull", "exact"}:
            return None
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    """Keyed hash of `source`, kept in step on every save."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = keyed_hash(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def mask(value: str, kind: str = "text") -> str:
    """`5119**********1234` for ID numbers, `138****5678` for phones, first/last character otherwise."""
    value = value or ""
    if not value:
        return ""
    if kind == "id" and len(value) >= 10:
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    if kind == "phone" and len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) <= 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def protected_fields(model) -> dict[str, EncryptedCharField]:
    return {f.name: f for f in model._meta.get_fields() if isinstance(f, EncryptedCharField)}


def masked_value(obj, field_name: str) -> str:
    field = protected_fields(type(obj))[field_name]
    return mask(getattr(obj, field_name), field.kind)


def can_reveal(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(REVEAL_PERMISSION))


def pii_reveal(*, user, obj, field: str, reason: str, request=None) -> str:
    """Return one protected value in full, after checking the permission and recording why."""
    from .audit import audit_record
    from .models import AuditLog

    if field not in protected_fields(type(obj)):
        raise ValidationError({"field": _("This field is not protected personal data.")})
    if not can_reveal(user):
        raise PermissionDenied(_("You do not have permission to reveal personal data."))
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            {"reason": _("Give a reason of at least %(n)d characters.") % {"n": MIN_REASON_LENGTH}}
        )
    audit_record(
        action=AuditLog.Action.REVEAL, actor=user, obj=obj, field=field, reason=reason, request=request
    )
    return getattr(obj, field)


# --- Chinese resident ID numbers (GB 11643-1999) ---------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_PHONE_PATTERN = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}\d{7,8})$")


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_number_birth_date(value: str) -> dt.date | None:
    value = normalise(value)
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except (ValueError, IndexError):
        return None


def validate_id_number(value: str) -> None:
    value = normalise(value)
    if not _ID_PATTERN.match(value):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a digit or X."), code="id_format"
        )
    birth = id_number_birth_date(value)
    if birth is None or not (dt.date(1900, 1, 1) <= birth <= dt.date.today()):
        raise ValidationError(_("The birth date inside this ID number is not a valid date."), code="id_birth")
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationError(_("The check digit of this ID number is wrong."), code="id_check")


def validate_id_matches_birth_date(id_number: str, birth_date: dt.date | None) -> None:
    if id_number and birth_date and id_number_birth_date(id_number) != birth_date:
        raise ValidationError(
            _("The ID number's birth date (%(id)s) does not match the birth date entered (%(entered)s).")
            % {"id": id_number_birth_date(id_number), "entered": birth_date},
            code="id_birth_mismatch",
        )


def validate_phone(value: str) -> None:
    if value and not _PHONE_PATTERN.match(normalise(value)):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline with its area code."), code="phone"
        )


def make_id_number(birth_date: dt.date, region: str = "511903", serial: int = 1) -> str:
    """A valid ID number for seeds and tests (fictitious: the serial is made up)."""
    first17 = f"{region}{birth_date:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_check_digit(first17)
