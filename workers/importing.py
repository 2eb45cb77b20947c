"""Import grid workers from Excel (or CSV): every row is checked first; one bad row imports nothing."""

import csv
import datetime as dt
import io
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.pii import keyed_hash, normalise
from grids.importing import ImportRejected, RowError
from grids.models import Area

from . import services
from .choices import CertificateLevel, Education, Employment, Gender, PoliticalStatus, WorkerCategory
from .models import Worker

COLUMNS = [
    "name",
    "gender",
    "birth_date",
    "political_status",
    "education",
    "phone",
    "id_number",
    "employment",
    "category",
    "grid_code",
    "hire_date",
    "certificate_level",
]
REQUIRED = ["name", "gender", "birth_date", "education", "employment", "category", "grid_code", "id_number"]
HEADER_ALIASES = {
    "姓名": "name",
    "性别": "gender",
    "出生日期": "birth_date",
    "政治面貌": "political_status",
    "学历": "education",
    "文化程度": "education",
    "电话": "phone",
    "手机号码": "phone",
    "联系电话": "phone",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "专兼职": "employment",
    "用工性质": "employment",
    "类别": "category",
    "网格员类别": "category",
    "网格代码": "grid_code",
    "入职日期": "hire_date",
    "社工证": "certificate_level",
    "证书等级": "certificate_level",
}
VALUE_ALIASES = {
    "gender": {"男": Gender.MALE, "女": Gender.FEMALE},
    "political_status": {
        "中共党员": PoliticalStatus.PARTY_MEMBER,
        "党员": PoliticalStatus.PARTY_MEMBER,
        "中共预备党员": PoliticalStatus.PARTY_MEMBER,
        "群众": PoliticalStatus.NON_MEMBER,
        "非党员": PoliticalStatus.NON_MEMBER,
        "": PoliticalStatus.NON_MEMBER,
    },
    "education": {
        "初中": Education.JUNIOR_MIDDLE,
        "初中及以下": Education.JUNIOR_MIDDLE,
        "小学": Education.JUNIOR_MIDDLE,
        "高中": Education.SENIOR_VOCATIONAL,
        "中专": Education.SENIOR_VOCATIONAL,
        "职高": Education.SENIOR_VOCATIONAL,
        "高中或中专": Education.SENIOR_VOCATIONAL,
        "大专": Education.COLLEGE,
        "本科": Education.COLLEGE,
        "研究生": Education.COLLEGE,
        "大专及以上": Education.COLLEGE,
    },
    "employment": {"专职": Employment.FULL_TIME, "兼职": Employment.PART_TIME},
    "category": {
        "城市社区": WorkerCategory.URBAN_COMMUNITY,
        "农村社区": WorkerCategory.RURAL_COMMUNITY,
        "村": WorkerCategory.VILLAGE,
        "农村": WorkerCategory.VILLAGE,
    },
    "certificate_level": {
        "": CertificateLevel.NONE,
        "无": CertificateLevel.NONE,
        "初级": CertificateLevel.JUNIOR,
        "中级": CertificateLevel.INTERMEDIATE,
        "高级": CertificateLevel.SENIOR,
    },
}
CHOICES = {
    "gender": Gender,
    "political_status": PoliticalStatus,
    "education": Education,
    "employment": Employment,
    "category": WorkerCategory,
    "certificate_level": CertificateLevel,
}
FIELD_LABELS = {f: Worker._meta.get_field(f).verbose_name for f in COLUMNS if f != "grid_code"}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(content: bytes, filename: str) -> list[dict]:
    """Rows keyed by the English column names (Chinese headers accepted); row numbers as in the file."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as exc:  # a corrupt upload is a row-1 error, not a crash
            raise ImportRejected([RowError(1, _("not a readable Excel file"))]) from exc
        raw = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        raw = [[c.strip() for c in row] for row in csv.reader(io.StringIO(content.decode("utf-8-sig")))]
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


def _date(value: str, label) -> dt.date | None:
    if not value:
        return None
    digits = re.sub(r"\D", "", value[:10])
    if len(digits) == 8:
        try:
            return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            pass
    raise ValueError(_("%(label)s is not a date (YYYY-MM-DD): %(v)s") % {"label": label, "v": value})


def _choice(field: str, value: str) -> str:
    enum = CHOICES[field]
    value = (value or "").strip()
    if value in enum.values:
        return value
    aliases = VALUE_ALIASES.get(field, {}) | {str(label): v for v, label in enum.choices}
    if value in aliases:
        return aliases[value]
    raise ValueError(_("%(label)s: unknown value “%(v)s”") % {"label": FIELD_LABELS[field], "v": value})


def import_workers(rows: list[dict], *, actor) -> int:
    """Check every row (profile, ID number, grid in the user's jurisdiction, duplicates), then create all."""
    errors: list[RowError] = []
    visible = Area.objects.visible_to(actor)
    grids = {a.code: a for a in visible.filter(code__in=[r.get("grid_code", "") for r in rows])}
    seen: dict[str, int] = {}
    plan = []
    for row in rows:
        number = row["_row"]
        try:
            if not row.get("name"):
                raise ValueError(_("the name is empty"))
            data = {field: _choice(field, row.get(field, "")) for field in CHOICES}
            data["birth_date"] = _date(row.get("birth_date", ""), FIELD_LABELS["birth_date"])
            if data["birth_date"] is None:
                raise ValueError(_("the birth date is empty"))
            data["hire_date"] = _date(row.get("hire_date", ""), FIELD_LABELS["hire_date"])
            grid = grids.get(row.get("grid_code", ""))
            if grid is None:
                raise ValueError(
                    _("grid code %(c)s is not a grid in your jurisdiction") % {"c": row.get("grid_code", "")}
                )
            id_number = normalise(row.get("id_number", ""))
            if not id_number:
                raise ValueError(_("the ID number is empty"))
            if keyed_hash(id_number) in seen:
                raise ValueError(
                    _("the ID number appears twice in the file (also row %(r)d)")
                    % {"r": seen[keyed_hash(id_number)]}
                )
            seen[keyed_hash(id_number)] = number
            candidate = Worker(
                name=row["name"], grid=grid, id_number=id_number, phone=row.get("phone", ""), **data
            )
            services.validate_worker(candidate)
        except ValidationError as exc:
            errors.append(RowError(number, "; ".join(exc.messages)))
            continue
        except ValueError as exc:
            errors.append(RowError(number, str(exc)))
            continue
        plan.append((row, candidate))
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        for _row, c in plan:
            services.worker_create(
                name=c.name,
                gender=c.gender,
                birth_date=c.birth_date,
                political_status=c.political_status,
                education=c.education,
                phone=c.phone,
                id_number=c.id_number,
                employment=c.employment,
                category=c.category,
                grid=c.grid,
                hire_date=c.hire_date,
                certificate_level=c.certificate_level,
                actor=actor,
            )
    return len(plan)
