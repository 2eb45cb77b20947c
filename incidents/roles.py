from accounts.models import Role

_VIEW = [
    "incidents.view_incident",
    "incidents.view_incidentevent",
    "incidents.view_incidentphoto",
    "incidents.view_category",
    "incidents.view_timelimitpolicy",
    "incidents.view_extensionrequest",
    "incidents.view_supervisionrecord",
]
_REFERENCE = [
    f"incidents.{verb}_{model}"
    for model in ("category", "timelimitpolicy", "workcalendaroverride")
    for verb in ("view", "add", "change")
]
_DISPATCH = [
    "incidents.add_incident",
    "incidents.dispatch_incident",
    "incidents.handle_incident",
    "incidents.evaluate_incident",
]

ROLE_PERMISSIONS = {
    Role.DISTRICT_ADMIN: [*_VIEW, *_REFERENCE, *_DISPATCH, "incidents.supervise_incident"],
    Role.DISTRICT_STAFF: [*_VIEW, *_REFERENCE, *_DISPATCH, "incidents.supervise_incident"],
    Role.TOWN_STAFF: [
        *_VIEW,
        *_DISPATCH,
        "incidents.supervise_incident",
        "incidents.view_workcalendaroverride",
    ],
    Role.VILLAGE_STAFF: [*_VIEW, *_DISPATCH],
    Role.GRID_WORKER: [*_VIEW, "incidents.add_incident", "incidents.handle_incident"],
    Role.DEPARTMENT_LIAISON: [*_VIEW, "incidents.add_incident", "incidents.handle_incident"],
    Role.INTEGRATOR: [*_VIEW, "incidents.add_incident"],
}
