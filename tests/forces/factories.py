"""Factories for the forces app: members are made through the service, as in production."""

import itertools

from forces import services
from forces.choices import ForceSubtype

_phones = itertools.count(13800000001)


def make_member(area, *, subtype=ForceSubtype.PARTY_MEMBER, name="", user=None, **kwargs):
    number = next(_phones)
    return services.member_create(
        name=name or f"成员{number % 10000}",
        subtype=subtype,
        area=area,
        phone=kwargs.pop("phone", str(number)),
        user=user,
        **kwargs,
    )


def again(user):
    """The user read afresh: a jurisdiction held in memory goes stale when the tree grows."""
    from accounts.models import User

    return User.objects.select_related("jurisdiction").get(pk=user.pk)
