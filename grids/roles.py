from accounts.models import Role

ROLE_PERMISSIONS = {
    Role.DISTRICT_ADMIN: [
        "grids.view_area",
        "grids.add_area",
        "grids.change_area",
        "grids.delete_area",
        "grids.view_departmentgrid",
        "grids.add_departmentgrid",
        "grids.change_departmentgrid",
        "grids.delete_departmentgrid",
    ],
    Role.DISTRICT_STAFF: [
        "grids.view_area",
        "grids.add_area",
        "grids.change_area",
        "grids.view_departmentgrid",
        "grids.add_departmentgrid",
        "grids.change_departmentgrid",
    ],
    Role.TOWN_STAFF: ["grids.view_area", "grids.add_area", "grids.change_area", "grids.view_departmentgrid"],
    Role.VILLAGE_STAFF: ["grids.view_area"],
    Role.GRID_WORKER: ["grids.view_area"],
    Role.DEPARTMENT_LIAISON: ["grids.view_area", "grids.view_departmentgrid"],
    Role.INTEGRATOR: ["grids.view_area"],
}
