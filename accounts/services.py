from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import DISTRICT_ROLES, Role, User
from .roles import STAFF_ROLES, apply_role


def _check_jurisdiction(role: str, jurisdiction) -> None:
    from grids.models import AreaKind

    if role in DISTRICT_ROLES or role == Role.INTEGRATOR:
        return
    if jurisdiction is None:
        raise ValidationError({"jurisdiction": _("This role needs a jurisdiction.")})
    expected = {
        Role.TOWN_STAFF: {AreaKind.SUBDISTRICT, AreaKind.TOWN},
        Role.VILLAGE_STAFF: {AreaKind.COMMUNITY, AreaKind.VILLAGE},
    }.get(role)
    if expected and jurisdiction.kind not in expected:
        raise ValidationError(
            {
                "jurisdiction": _("A %(role)s's jurisdiction must be one of: %(kinds)s.")
                % {
                    "role": Role(role).label,
                    "kinds": "、".join(str(AreaKind(k).label) for k in sorted(expected)),
                }
            }
        )


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    jurisdiction=None,
    password: str | None = None,
    department=None,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    is_superuser: bool = False,
) -> User:
    _check_jurisdiction(role, jurisdiction)
    user = User(
        username=username,
        role=role,
        jurisdiction=jurisdiction,
        department=department,
        display_name=display_name,
        email=email,
        phone=phone,
        is_staff=role in STAFF_ROLES or is_superuser,
        is_superuser=is_superuser,
    )
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    apply_role(user)
    return user


@transaction.atomic
def user_update_role(*, user: User, role: str, jurisdiction=None) -> User:
    _check_jurisdiction(role, jurisdiction)
    user.role = role
    user.jurisdiction = jurisdiction
    user.is_staff = role in STAFF_ROLES or user.is_superuser
    user.save(update_fields=["role", "jurisdiction", "is_staff"])
    apply_role(user)
    return user
