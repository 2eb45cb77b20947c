from accounts.models import Role

_VIEW = [
    "assessment.view_scheme",
    "assessment.view_indicator",
    "assessment.view_peergroup",
    "assessment.view_gradeband",
    "assessment.view_assessmentrun",
    "assessment.view_result",
    "assessment.view_score",
    "assessment.view_appeal",
    "assessment.view_supervisioncheck",
]
_MANAGE = [
    f"assessment.{action}_{model}"
    for model in ("scheme", "indicator", "peergroup", "gradeband")
    for action in ("add", "change", "delete")
] + [
    "assessment.add_supervisioncheck",
    "assessment.change_supervisioncheck",
    "assessment.compute_run",
    "assessment.review_run",
    "assessment.publish_run",
    "assessment.decide_appeal",
]

ROLE_PERMISSIONS = {
    Role.DISTRICT_ADMIN: _VIEW + _MANAGE,
    Role.DISTRICT_STAFF: _VIEW + _MANAGE,
    Role.TOWN_STAFF: _VIEW + ["assessment.add_supervisioncheck", "assessment.change_supervisioncheck"],
    Role.VILLAGE_STAFF: [],
    Role.GRID_WORKER: ["assessment.add_appeal"],
    Role.DEPARTMENT_LIAISON: [],
    Role.INTEGRATOR: [],
}
