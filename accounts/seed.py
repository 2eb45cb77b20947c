"""Demo departments and one sign-in per role, so every page can be tried (passwords are not set here)."""

from accounts.models import Department, Role, User
from accounts.services import user_create
from grids.models import Area
from grids.seed import DISTRICT_CODE

DEPARTMENTS = [
    ("court", "区人民法院", "法院"),
    ("police", "区公安分局", "公安"),
    ("justice", "区司法局", "司法"),
    ("housing", "区住房和城乡建设局", "住建"),
    ("petitions", "区信访局", "信访"),
    ("market", "区市场监督管理局", "市场监管"),
    ("enforcement", "区综合行政执法局", "综合执法"),
    ("emergency", "区应急管理局", "应急"),
    ("fire", "区消防救援大队", "消防"),
    ("environment", "市生态环境局恩阳分局", "环保"),
    ("civil_affairs", "区民政局", "民政"),
    ("health", "区卫生健康局", "卫健"),
]


def seed(stdout=None) -> int:
    created = 0
    for code, name, short in DEPARTMENTS:
        _, was_created = Department.objects.get_or_create(
            code=code, defaults={"name": name, "short_name": short}
        )
        created += was_created
    district = Area.objects.get(code=DISTRICT_CODE)
    town = Area.objects.get(code=f"{DISTRICT_CODE}001000")
    village = town.get_children().order_by("code").first()
    demo_users = [
        ("district_staff", Role.DISTRICT_STAFF, district, None),
        ("town_dengke", Role.TOWN_STAFF, town, None),
        ("village_demo", Role.VILLAGE_STAFF, village, None),
        ("police_liaison", Role.DEPARTMENT_LIAISON, district, Department.objects.get(code="police")),
        ("integrator_12345", Role.INTEGRATOR, district, None),
    ]
    for username, role, node, department in demo_users:
        if not User.objects.filter(username=username).exists():
            user_create(username=username, role=role, jurisdiction=node, department=department)
            created += 1
    if stdout:
        stdout.write(f"accounts: {created} department(s)/user(s) created")
    return created
