"""The five roles (五大员) and the eight duties with their role (DOMAIN §4), as reference data."""

from django.db import migrations

ROLES = [
    ("information", "信息员", 1),
    ("mediator", "调解员", 2),
    ("co_manager", "协管员", 3),
    ("publicist", "宣传员", 4),
    ("service", "服务员", 5),
]

# Frozen copy of workers/reference.py at the time of this migration.
DUTIES = [
    (1, "base_information", "采集更新基础信息", "采集、更新人、地、物、事、组织等基础信息，收集社情民意", "information"),
    (
        2,
        "safety_hazards",
        "排查上报安全隐患",
        "排查上报治安、安全生产、消防、自然灾害等安全隐患；协助法院执行、扫黄打非、公安（流动人口、出租房屋、案件线索）、环保、消防等工作",
        "co_manager",
    ),
    (3, "instability_factors", "排查上报不稳定因素", "排查上报命案、个人极端事件、群体性事件、群体上访等不稳定因素", "information"),
    (4, "emergencies", "报告突发事件", "报告自然灾害、事故灾难、公共卫生和社会安全等突发事件", "information"),
    (
        5,
        "special_groups",
        "走访服务特殊人群",
        "走访服务刑满释放人员、社区矫正对象、吸毒人员、流浪乞讨人员、严重精神障碍患者等特殊人群",
        "service",
    ),
    (6, "disputes", "排查化解矛盾纠纷", "排查化解婚姻家庭、邻里、劳动、环境、经济、征地拆迁、医疗等矛盾纠纷", "mediator"),
    (7, "publicity", "宣传法律法规政策", "宣传法律法规、政策、村规民约和安全知识", "publicist"),
    (8, "livelihood", "开展民生服务", "走访困难群众、独居老人、病弱人员、困境青少年，代办公共服务事项", "service"),
]


def load(apps, schema_editor):
    ServiceRole = apps.get_model("workers", "ServiceRole")
    Duty = apps.get_model("workers", "Duty")
    roles = {}
    for code, name, order in ROLES:
        roles[code], _ = ServiceRole.objects.update_or_create(code=code, defaults={"name": name, "order": order})
    for number, code, name, description, role in DUTIES:
        Duty.objects.update_or_create(
            number=number, defaults={"code": code, "name": name, "description": description, "role": roles[role]}
        )


def unload(apps, schema_editor):
    apps.get_model("workers", "Duty").objects.all().delete()
    apps.get_model("workers", "ServiceRole").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workers", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
