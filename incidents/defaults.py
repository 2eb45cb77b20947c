"""The default reference data of DOMAIN §6: the coded two-level category list and the time limits."""

from decimal import Decimal

from .choices import Level, LimitUnit, Severity

# (code, name, [(code, name, flags)]) — flags: "urgent", "district" (direct to district),
# "district_from_major" (direct to district for severity II and above).
CATEGORIES = [
    (
        "01",
        "矛盾纠纷",
        [
            ("0101", "婚姻家庭纠纷", ()),
            ("0102", "邻里纠纷", ()),
            ("0103", "劳动纠纷", ()),
            ("0104", "环境纠纷", ()),
            ("0105", "经济纠纷", ()),
            ("0106", "征地拆迁纠纷", ()),
            ("0107", "医疗纠纷", ()),
            ("0199", "其他纠纷", ()),
        ],
    ),
    (
        "02",
        "安全隐患",
        [
            ("0201", "治安隐患", ()),
            ("0202", "安全生产隐患", ()),
            ("0203", "消防隐患", ()),
            ("0204", "自然灾害风险隐患", ()),
        ],
    ),
    (
        "03",
        "不稳定因素",
        [
            ("0301", "命案", ("urgent", "district")),
            ("0302", "个人极端事件", ("urgent",)),
            ("0303", "群体性事件", ("urgent", "district")),
            ("0304", "群体上访", ("urgent",)),
        ],
    ),
    (
        "04",
        "突发事件",
        [
            ("0401", "自然灾害", ("urgent", "district_from_major")),
            ("0402", "事故灾难", ("urgent", "district_from_major")),
            ("0403", "公共卫生事件", ("urgent", "district_from_major")),
            ("0404", "社会安全事件", ("urgent", "district_from_major")),
        ],
    ),
    (
        "05",
        "民生服务",
        [
            ("0501", "食品药品", ()),
            ("0502", "基础设施", ()),
            ("0503", "环境卫生", ()),
            ("0504", "城市管理执法", ()),
            ("0505", "消防服务", ()),
            ("0506", "通信", ()),
            ("0507", "供水", ()),
            ("0508", "供电", ()),
            ("0509", "燃气", ()),
            ("0510", "代办服务", ()),
        ],
    ),
    ("06", "特殊人群异常", [("0601", "特殊人群异常情况", ())]),
    ("99", "其他", [("9901", "其他事件", ())]),
]

DISPUTES_GROUP = "01"

# (amount, unit) per step and level. Urgent categories: 30 minutes to accept, 24 hours to handle.
NORMAL_LIMITS = {
    Level.GRID: {"accept": (2, LimitUnit.WORKING_HOURS), "handle": (3, LimitUnit.WORKING_DAYS)},
    Level.TOWN: {"accept": (2, LimitUnit.WORKING_HOURS), "handle": (5, LimitUnit.WORKING_DAYS)},
    Level.DISTRICT: {"accept": (2, LimitUnit.WORKING_HOURS), "handle": (10, LimitUnit.WORKING_DAYS)},
}
URGENT_LIMITS = {"accept": (30, LimitUnit.MINUTES), "handle": (24, LimitUnit.HOURS)}
VERIFY_LIMIT = (1, LimitUnit.WORKING_DAYS)


def default_limits(*, urgent: bool, level: str) -> dict:
    steps = dict(URGENT_LIMITS if urgent else NORMAL_LIMITS[level])
    steps["verify"] = VERIFY_LIMIT
    return {step: (Decimal(amount), unit) for step, (amount, unit) in steps.items()}


def category_flags(flags) -> dict:
    return {
        "urgent": "urgent" in flags,
        "direct_to_district": "district" in flags,
        "district_from_severity": Severity.MAJOR if "district_from_major" in flags else "",
    }
