"""The single write path for MPTT trees.

django-mptt rewrites lft/rght of many rows on every insert or move; two concurrent writers corrupt the
tree. Every tree write therefore runs inside `tree_lock()`: a transaction holding a PostgreSQL
transaction-level advisory lock (a no-op elsewhere, where SQLite serialises writers anyway).
"""

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


def _lock_key(name: str) -> int:
    return zlib.crc32(f"enyang_grid.tree.{name}".encode())


@contextmanager
def tree_lock(name: str = "area") -> Iterator[None]:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(name)])
        yield


def verify_mptt(model) -> list[str]:
    """Problems with the MPTT columns of `model`, recomputed from the parent links (empty when sound)."""
    opts = model._mptt_meta
    rows = list(
        model._default_manager.values_list(
            "pk",
            opts.parent_attr + "_id",
            opts.tree_id_attr,
            opts.left_attr,
            opts.right_attr,
            opts.level_attr,
        )
    )
    problems: list[str] = []
    by_id = {r[0]: r for r in rows}
    children: dict = {}
    for pk, parent_id, *_ in rows:
        children.setdefault(parent_id, []).append(pk)
    for pk, parent_id, *_rest in rows:
        if parent_id is not None and parent_id not in by_id:
            problems.append(f"node {pk}: parent {parent_id} does not exist")
    roots = [r for r in rows if r[1] is None]
    seen: set = set()
    for root in roots:
        # Expected numbering: a depth-first walk with children in their current left order.
        counter = 0
        stack = [(root[0], 0, False)]
        expected: dict = {}
        while stack:
            pk, level, done = stack.pop()
            if done:
                counter += 1
                expected[pk] = (expected[pk][0], counter, level)
                continue
            if pk in seen:
                problems.append(f"node {pk}: reached twice (cycle in parent links)")
                continue
            seen.add(pk)
            counter += 1
            expected[pk] = (counter, None, level)
            stack.append((pk, level, True))
            kids = sorted(children.get(pk, []), key=lambda k: (by_id[k][3], k), reverse=True)
            stack.extend((k, level + 1, False) for k in kids)
        root_tree = root[2]
        for pk, (lft, rght, level) in expected.items():
            _, _, tree_id, real_lft, real_rght, real_level = by_id[pk]
            if tree_id != root_tree:
                problems.append(f"node {pk}: tree_id {tree_id}, its root's is {root_tree}")
            if (real_lft, real_rght, real_level) != (lft, rght, level):
                problems.append(
                    f"node {pk}: lft/rght/level {real_lft}/{real_rght}/{real_level}, expected {lft}/{rght}/{level}"
                )
    unreached = set(by_id) - seen
    if unreached:
        problems.append(f"{len(unreached)} node(s) not reachable from a root (cycle in parent links)")
    tree_ids = [r[2] for r in roots]
    if len(tree_ids) != len(set(tree_ids)):
        problems.append("two roots share a tree_id")
    return problems
