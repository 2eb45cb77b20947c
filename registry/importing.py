"""Excel import and export of residents and households (DOMAIN §8).

Import: every row is checked first; any bad row is reported with its row number and reason and nothing is
imported. A row whose ID number is already registered is a duplicate: it is reported and skipped, never
registered twice. Rows sharing a grid and household number form one household (added to an existing one
with that number in the grid).

Export: ID and phone numbers are masked unless the user holds the reveal permission; every export is
recorded in the audit log.
"""

import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import AuditLog
from core.pii import can_reveal, keyed_hash, mask, normalise
from grids.choices import GRID_KINDS
from grids.models import Area

from .choices import Relation, ResidenceType, ResidentStatus
from .models import Household, Resident

COLUMNS = [
    ("grid_code", "网格代码"),
    ("name", "姓名"),
    ("id_number", "身份证号"),
    ("phone", "联系电话"),
    ("residence_type", "人口类型"),
    ("household_number", "户号"),
    ("relation_to_head", "与户主关系"),
    ("address", "现住址"),
    ("registered_address", "户籍地址"),
    ("ethnicity", "民族"),
    ("note", "备注"),
]
REQUIRED = ["grid_code", "name", "id_number"]
HEADER_ALIASES = {zh: en for en, zh in COLUMNS} | {en: en for en, _zh in COLUMNS}
RESIDENCE_ALIASES = {
    "registered": ResidenceType.REGISTERED,
    "户籍": ResidenceType.REGISTERED,
    "户籍人口": ResidenceType.REGISTERED,
    "floating": ResidenceType.FLOATING,
    "流动": ResidenceType.FLOATING,
    "流动人口": ResidenceType.FLOATING,
    "": ResidenceType.REGISTERED,
}
RELATION_ALIASES = {v: v for v in Relation.values} | {
    "户主": Relation.HEAD,
    "本人": Relation.HEAD,
    "配偶": Relation.SPOUSE,
    "妻": Relation.SPOUSE,
    "夫": Relation.SPOUSE,
    "子": Relation.CHILD,
    "女": Relation.CHILD,
    "子女": Relation.CHILD,
    "父母": Relation.PARENT,
    "父亲": Relation.PARENT,
    "母亲": Relation.PARENT,
    "孙子女": Relation.GRANDCHILD,
    "祖父母": Relation.GRANDPARENT,
    "兄弟姐妹": Relation.SIBLING,
    "其他": Relation.OTHER,
    "": "",
}


@dataclass
class RowNote:
    row: int
    message: str

    def __str__(self):
        return _("row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


class ImportRejected(Exception):
    """At least one bad row: nothing was imported."""

    def __init__(self, errors: list[RowNote], duplicates: list[RowNote] | None = None):
        self.errors = errors
        self.duplicates = duplicates or []
        super().__init__("; ".join(str(e) for e in errors))


@dataclass
class ImportResult:
    residents_created: int = 0
    households_created: int = 0
    duplicates: list[RowNote] = field(default_factory=list)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(content: bytes) -> list[dict]:
    """Rows of the first sheet as dicts keyed by the English column names; row numbers as Excel shows them."""
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportRejected([RowNote(1, _("the file is not an Excel workbook (.xlsx)"))]) from exc
    raw = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    if not raw:
        raise ImportRejected([RowNote(1, _("the file is empty"))])
    header = [HEADER_ALIASES.get(h, h) for h in raw[0]]
    missing = [zh for en, zh in COLUMNS if en in REQUIRED and en not in header]
    if missing:
        raise ImportRejected([RowNote(1, _("missing column(s): %(cols)s") % {"cols": "、".join(missing)})])
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if not any(values):
            continue
        row = dict(zip(header, values, strict=False))
        row["_row"] = number
        rows.append(row)
    return rows


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        labels = {
            f.name: str(f.verbose_name) for f in Resident._meta.get_fields() if hasattr(f, "verbose_name")
        }
        return "; ".join(f"{labels.get(k, k)}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


@transaction.atomic
def import_residents(*, user, rows: list[dict]) -> ImportResult:
    """Check every row, then import all of them or none."""
    errors: list[RowNote] = []
    duplicates: list[RowNote] = []
    visible_grids = Area.objects.visible_to(user).filter(kind__in=GRID_KINDS)
    codes = {row.get("grid_code", "") for row in rows}
    grids = {a.code: a for a in visible_grids.filter(code__in=codes)}
    hashes = {keyed_hash(row.get("id_number", "")) for row in rows} - {""}
    existing = {
        r.id_number_hash: r
        for r in Resident.objects.filter(id_number_hash__in=hashes)
        .select_related("grid")
        .only(
            "id",
            "name",
            "id_number_hash",
            "grid__name",
            "grid__code",
            "grid__tree_id",
            "grid__lft",
            "grid__rght",
        )
    }
    visible_existing = set(
        Resident.objects.visible_to(user)
        .filter(id_number_hash__in=list(existing))
        .values_list("id_number_hash", flat=True)
    )
    seen: dict[str, int] = {}
    # (grid code, household number) → the plan for that household
    households: dict[tuple[str, str], dict] = {}
    planned: list[tuple[Resident, tuple[str, str] | None]] = []

    for row in rows:
        number = row["_row"]
        grid = grids.get(row.get("grid_code", ""))
        if grid is None:
            errors.append(
                RowNote(
                    number,
                    _("unknown grid code %(c)s (or outside your jurisdiction)") % {"c": row.get("grid_code")},
                )
            )
            continue
        residence = RESIDENCE_ALIASES.get(row.get("residence_type", ""))
        if residence is None:
            errors.append(RowNote(number, _("unknown population type %(v)s") % {"v": row["residence_type"]}))
            continue
        relation = RELATION_ALIASES.get(row.get("relation_to_head", ""))
        if relation is None:
            errors.append(
                RowNote(number, _("unknown relation to the head %(v)s") % {"v": row["relation_to_head"]})
            )
            continue
        digest = keyed_hash(row.get("id_number", ""))
        if digest and digest in seen:
            errors.append(RowNote(number, _("the same ID number as row %(other)d") % {"other": seen[digest]}))
            continue
        if digest:
            seen[digest] = number
        resident = Resident(
            grid=grid,
            name=row.get("name", ""),
            id_number=normalise(row.get("id_number", "")),
            phone=row.get("phone", ""),
            residence_type=residence,
            relation_to_head=relation,
            address=row.get("address", ""),
            registered_address=row.get("registered_address", ""),
            ethnicity=row.get("ethnicity", "") or "汉族",
            note=row.get("note", ""),
            status=ResidentStatus.ACTIVE,
        )
        try:
            # The grid was looked up above; skipping its per-row existence query keeps big files fast.
            resident.full_clean(
                exclude=["grid", "household"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            errors.append(RowNote(number, _messages(exc)))
            continue
        if digest in existing:
            other = existing[digest]
            where = (
                _("already registered as %(name)s in %(grid)s")
                % {"name": other.name, "grid": other.grid.name}
                if digest in visible_existing
                else _("already registered (outside your jurisdiction)")
            )
            duplicates.append(RowNote(number, where))
            continue
        key = None
        if row.get("household_number"):
            key = (grid.code, row["household_number"])
            plan = households.setdefault(key, {"grid": grid, "address": "", "head_row": None, "rows": []})
            if relation == Relation.HEAD:
                if plan["head_row"] is not None:
                    errors.append(
                        RowNote(
                            number,
                            _("household %(h)s already has a head in row %(other)d")
                            % {"h": key[1], "other": plan["head_row"]},
                        )
                    )
                    continue
                plan["head_row"] = number
                plan["address"] = resident.address
            plan["address"] = plan["address"] or resident.address
            plan["rows"].append(number)
        elif relation == Relation.HEAD:
            errors.append(RowNote(number, _("a head of household needs a household number")))
            continue
        planned.append((resident, key))

    existing_households = {}
    if households:
        for h in Household.objects.filter(
            grid__code__in={k[0] for k in households}, number__in={k[1] for k in households}
        ).select_related("grid"):
            existing_households[(h.grid.code, h.number)] = h
    for key, plan in households.items():
        held = existing_households.get(key)
        if held is None and not plan["address"]:
            errors.append(RowNote(plan["rows"][0], _("household %(h)s needs an address") % {"h": key[1]}))
        if held is not None and held.head_id and plan["head_row"] is not None:
            errors.append(RowNote(plan["head_row"], _("household %(h)s already has a head") % {"h": key[1]}))

    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row), duplicates)

    result = ImportResult(duplicates=duplicates)
    new_households = [
        Household(grid=plan["grid"], number=key[1], address=plan["address"])
        for key, plan in households.items()
        if key not in existing_households
    ]
    Household.objects.bulk_create(new_households)
    result.households_created = len(new_households)
    by_key = existing_households | {(h.grid.code, h.number): h for h in new_households}
    for resident, key in planned:
        resident.household = by_key.get(key) if key else None
    created = Resident.objects.bulk_create([r for r, _key in planned])
    result.residents_created = len(created)
    heads = []
    for resident in created:
        if resident.household is not None and resident.relation_to_head == Relation.HEAD:
            resident.household.head = resident
            heads.append(resident.household)
    Household.objects.bulk_update(heads, ["head"])
    audit_record(
        action=AuditLog.Action.CREATE,
        actor=user,
        reason=_("Excel import: %(n)d residents, %(h)d households")
        % {"n": result.residents_created, "h": result.households_created},
    )
    return result


def export_residents(*, user, queryset) -> bytes:
    """An Excel workbook of residents (same columns as the import) and their households."""
    from openpyxl import Workbook

    reveal = can_reveal(user)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("residents")
    sheet.append([zh for _en, zh in COLUMNS] + ["状态"])
    residents = queryset.select_related("grid", "household").order_by("grid__code", "household_id", "id")
    count = 0
    for r in residents.iterator(chunk_size=2000):
        count += 1
        sheet.append(
            [
                r.grid.code,
                r.name,
                r.id_number if reveal else mask(r.id_number, "id"),
                r.phone if reveal else mask(r.phone, "phone"),
                r.get_residence_type_display(),
                r.household.number if r.household_id else "",
                r.get_relation_to_head_display() if r.relation_to_head else "",
                r.address,
                r.registered_address,
                r.ethnicity,
                r.note,
                r.get_status_display(),
            ]
        )
    households = workbook.create_sheet(_("households"))
    households.append(["网格代码", "户号", "地址", "户主", "人口类型"])
    household_ids = queryset.exclude(household__isnull=True).values("household_id")
    for h in (
        Household.objects.filter(pk__in=household_ids)
        .select_related("grid", "head")
        .order_by("grid__code", "number")
    ):
        households.append(
            [
                h.grid.code,
                h.number,
                h.address,
                h.head.name if h.head_id else "",
                h.get_residence_type_display(),
            ]
        )
    audit_record(
        action=AuditLog.Action.EXPORT,
        actor=user,
        field="id_number,phone" if reveal else "",
        reason=(
            _("resident export, %(n)d rows, full personal data")
            if reveal
            else _("resident export, %(n)d rows, masked")
        )
        % {"n": count},
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_workbook() -> bytes:
    """An empty import file with the expected headers and one example row."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("residents")
    sheet.append([zh for _en, zh in COLUMNS])
    sheet.append(
        [
            "511903001201001",
            "张三",
            "",
            "13800000000",
            "户籍人口",
            "0001",
            "户主",
            "某村1组1号",
            "",
            "汉族",
            "",
        ]
    )
    for column in sheet.iter_cols(min_col=3, max_col=4):
        for cell in column:
            cell.number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_filename(prefix: str = "residents") -> str:
    return f"{prefix}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
