from accounts.models import Role

_VIEW = [
    "workers.view_worker",
    "workers.view_gridassignment",
    "workers.view_dutylog",
    "workers.view_servicerole",
    "workers.view_duty",
    "workers.view_admissionitem",
    "workers.view_admissionitemevent",
    "workers.view_taskassignment",
    "workers.view_workloadoverride",
    "workers.view_trainingsession",
    "workers.view_trainingattendance",
    "workers.view_certificate",
]
_MANAGE_WORKERS = [
    "workers.add_worker",
    "workers.change_worker",
    "workers.add_gridassignment",
    "workers.add_dutylog",
    "workers.add_taskassignment",
    "workers.change_taskassignment",
    "workers.add_trainingsession",
    "workers.change_trainingsession",
    "workers.add_trainingattendance",
    "workers.change_trainingattendance",
    "workers.add_certificate",
    "workers.change_certificate",
    "workers.import_workers",
]
_ADMISSION = ["workers.add_admissionitem", "workers.change_admissionitem"]

ROLE_PERMISSIONS = {
    Role.DISTRICT_ADMIN: [*_VIEW, *_MANAGE_WORKERS, *_ADMISSION, "workers.override_workload"],
    Role.DISTRICT_STAFF: [*_VIEW, *_MANAGE_WORKERS, *_ADMISSION, "workers.override_workload"],
    Role.TOWN_STAFF: [*_VIEW, *_MANAGE_WORKERS, "workers.override_workload"],
    Role.VILLAGE_STAFF: [*_VIEW, "workers.add_dutylog", "workers.add_taskassignment"],
    Role.GRID_WORKER: [
        "workers.view_worker",
        "workers.view_dutylog",
        "workers.add_dutylog",
        "workers.view_duty",
    ],
    Role.DEPARTMENT_LIAISON: ["workers.view_admissionitem", "workers.add_admissionitem", "workers.view_duty"],
    Role.INTEGRATOR: ["workers.view_worker", "workers.view_dutylog", "workers.view_admissionitem"],
}
