"""One scoping method: `Model.objects.visible_to(user)` narrows any query to the user's subtree.

A model names the path to its area with `scope_field` (for example "grid" or "incident__grid"); the area
tree itself uses "". District-wide users (and superusers) see everything; a user with no jurisdiction
sees nothing.
"""

from django.db import models


def _prefix(path: str) -> str:
    return f"{path}__" if path else ""


def subtree_filter(node, path: str = "") -> models.Q:
    """Rows whose area lies in the subtree of `node`.

    The node's tree columns are read inside the same SQL statement (scalar subqueries PostgreSQL runs once),
    never from the Python object: an in-memory node goes stale as soon as anyone inserts into the tree.
    """
    from grids.models import Area

    p = _prefix(path)
    bounds = Area.objects.filter(pk=node.pk if hasattr(node, "pk") else node)
    return models.Q(
        **{
            f"{p}tree_id": models.Subquery(bounds.values("tree_id")[:1]),
            f"{p}lft__gte": models.Subquery(bounds.values("lft")[:1]),
            f"{p}rght__lte": models.Subquery(bounds.values("rght")[:1]),
        }
    )


def user_sees_all(user) -> bool:
    return bool(user.is_superuser or getattr(user, "sees_whole_district", False))


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user_sees_all(user):
            return self
        node = getattr(user, "jurisdiction", None)
        if node is None:
            return self.none()
        return self.filter(subtree_filter(node, getattr(self.model, "scope_field", "area")))

    def within(self, node):
        """Rows in the subtree of `node` (whoever asks)."""
        return self.filter(subtree_filter(node, getattr(self.model, "scope_field", "area")))


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
