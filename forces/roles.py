from accounts.models import Role

_ALL = [
    f"forces.{verb}_{model}"
    for model in (
        "forcemember",
        "gridleader",
        "emergencyplan",
        "planattachment",
        "activation",
        "mobilisation",
        "dutyshift",
        "activationtask",
    )
    for verb in ("view", "add", "change", "delete")
]
_VIEW = [p for p in _ALL if ".view_" in p]

ROLE_PERMISSIONS = {
    Role.DISTRICT_ADMIN: _ALL,
    Role.DISTRICT_STAFF: [p for p in _ALL if ".delete_" not in p],
    # Towns activate for their own subtree, keep rosters and tasks, and assign grid leaders.
    Role.TOWN_STAFF: [p for p in _ALL if ".delete_" not in p],
    # Villages keep their members (and approve self-registered ones), rosters and tasks.
    Role.VILLAGE_STAFF: _VIEW
    + [
        "forces.add_forcemember",
        "forces.change_forcemember",
        "forces.change_mobilisation",
        "forces.add_dutyshift",
        "forces.change_dutyshift",
        "forces.add_activationtask",
        "forces.change_activationtask",
    ],
    Role.GRID_WORKER: ["forces.view_forcemember", "forces.view_gridleader", "forces.view_activation"],
    Role.DEPARTMENT_LIAISON: ["forces.view_forcemember", "forces.view_activation"],
    Role.INTEGRATOR: _VIEW,
}
