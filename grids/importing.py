"""Import the real division list (Excel or CSV): all rows are checked first; one bad row imports nothing."""

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.tree import tree_lock

from .choices import GRID_KINDS, AreaKind, GridType, UrbanRuralClass
from .models import Area, check_code, check_parent_kind, expected_grid_type

COLUMNS = [
    "code",
    "name",
    "kind",
    "parent_code",
    "urban_rural_class",
    "grid_type",
    "households",
    "population",
]
REQUIRED = ["code", "name", "kind"]
# Chinese headers are accepted as well as the English ones.
HEADER_ALIASES = {
    "代码": "code",
    "名称": "name",
    "类型": "kind",
    "上级代码": "parent_code",
    "城乡分类": "urban_rural_class",
    "网格类型": "grid_type",
    "户数": "households",
    "人口": "population",
}
KIND_ALIASES = {str(label): value for value, label in AreaKind.choices} | {
    "区": "district",
    "街道": "subdistrict",
    "镇": "town",
    "乡": "township",
    "社区": "community",
    "村": "village",
    "一级网格": "grid_l1",
    "二级网格": "grid_l2",
    "三级网格": "grid_l3",
}


@dataclass
class RowError:
    row: int
    message: str

    def __str__(self):
        return _("row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def read_rows(content: bytes, filename: str) -> list[dict]:
    """Rows as dicts keyed by the English column names; row numbers are the file's (header = 1)."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        raw = [
            ["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    else:
        text = content.decode("utf-8-sig")
        raw = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    if not raw:
        raise ImportRejected([RowError(1, _("the file is empty"))])
    header = [HEADER_ALIASES.get(h, h) for h in raw[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportRejected([RowError(1, _("missing column(s): %(cols)s") % {"cols": ", ".join(missing)})])
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if not any(values):
            continue
        row = dict(zip(header, values, strict=False))
        row["_row"] = number
        rows.append(row)
    return rows


def _int(value: str, label: str) -> int | None:
    if value in ("", None):
        return None
    try:
        number = int(float(value))
    except ValueError as exc:
        raise ValueError(_("%(label)s is not a whole number: %(v)s") % {"label": label, "v": value}) from exc
    if number < 0:
        raise ValueError(_("%(label)s cannot be negative") % {"label": label})
    return number


def import_areas(rows: list[dict]) -> dict:
    """Create new nodes and update names/figures of existing ones (clearing the demo mark)."""
    errors: list[RowError] = []
    with tree_lock():
        existing = {a.code: a for a in Area.objects.all()}
        pending: dict[str, Area] = {}
        plan: list[tuple[dict, Area, bool]] = []
        for row in rows:
            number = row["_row"]
            try:
                code = row.get("code", "")
                kind = KIND_ALIASES.get(row.get("kind", ""), row.get("kind", ""))
                if kind not in AreaKind.values:
                    raise ValueError(_("unknown kind %(k)s") % {"k": row.get("kind")})
                if not row.get("name"):
                    raise ValueError(_("the name is empty"))
                if code in pending:
                    raise ValueError(_("code %(c)s appears twice in the file") % {"c": code})
                parent_code = row.get("parent_code", "")
                parent = pending.get(parent_code) or existing.get(parent_code) if parent_code else None
                if parent_code and parent is None:
                    raise ValueError(
                        _("parent code %(c)s is neither in the tree nor earlier in the file")
                        % {"c": parent_code}
                    )
                check_parent_kind(kind, parent)
                check_code(kind, code, parent)
                urc = row.get("urban_rural_class", "")
                if urc and urc not in UrbanRuralClass.values:
                    raise ValueError(_("unknown urban-rural class %(v)s") % {"v": urc})
                grid_type = row.get("grid_type", "")
                if grid_type and grid_type not in GridType.values:
                    raise ValueError(_("unknown grid type %(v)s") % {"v": grid_type})
                households = _int(row.get("households", ""), _("household count"))
                population = _int(row.get("population", ""), _("population"))
            except ValidationError as exc:
                errors.append(RowError(number, "; ".join(exc.messages)))
                continue
            except ValueError as exc:
                errors.append(RowError(number, str(exc)))
                continue
            area = existing.get(code)
            is_new = area is None
            if is_new:
                area = Area(code=code, kind=kind, parent=parent)
            elif area.kind != kind or (area.parent.code if area.parent else "") != parent_code:
                errors.append(
                    RowError(number, _("code %(c)s exists with another kind or parent") % {"c": code})
                )
                continue
            area.name = row["name"]
            area.urban_rural_class = urc or area.urban_rural_class
            area.grid_type = grid_type or area.grid_type
            if is_new and not area.grid_type and kind in GRID_KINDS and parent is not None:
                area.grid_type = parent.grid_type if parent.kind in GRID_KINDS else expected_grid_type(parent)
            if households is not None:
                area.households = households
            if population is not None:
                area.population = population
            area.is_demo = False
            pending[code] = area
            plan.append((row, area, is_new))
        if errors:
            raise ImportRejected(errors)
        created = updated = 0
        for row, area, is_new in plan:
            if is_new and area.parent is not None:
                # Stale lft/rght on an in-memory parent would corrupt the tree: read it afresh.
                area.parent = Area.objects.get(code=area.parent.code)
            try:
                area.full_clean(exclude=["lft", "rght", "tree_id", "level", "parent"])
            except ValidationError as exc:
                errors.append(RowError(row["_row"], "; ".join(exc.messages)))
                continue
            if is_new:
                area.save()  # MPTT insert, one at a time, under the lock
                created += 1
            else:
                area.save(
                    update_fields=[
                        "name",
                        "urban_rural_class",
                        "grid_type",
                        "households",
                        "population",
                        "is_demo",
                    ]
                )
                updated += 1
        if errors:
            # Raising inside the lock's transaction rolls back every row already written.
            raise ImportRejected(errors)
    return {"created": created, "updated": updated}
