from accounts.models import Role

_BASE_MODELS = ["resident", "household", "building", "house", "organisation"]
_GROUP_MODELS = ["groupmembership", "visit"]


def _perms(actions: list[str], models: list[str]) -> list[str]:
    return [f"registry.{action}_{model}" for model in models for action in actions]


# Base information is read only with the view permission: it is personal data (PIPL), not public reference.
# Special-group membership is sensitive (DOMAIN §9): integrators and departments do not see it.
ROLE_PERMISSIONS = {
    Role.DISTRICT_ADMIN: _perms(["view", "add", "change", "delete"], _BASE_MODELS + _GROUP_MODELS),
    Role.DISTRICT_STAFF: _perms(["view", "add", "change"], _BASE_MODELS + _GROUP_MODELS),
    Role.TOWN_STAFF: _perms(["view", "add", "change"], _BASE_MODELS + _GROUP_MODELS),
    Role.VILLAGE_STAFF: _perms(["view", "add", "change"], _BASE_MODELS + _GROUP_MODELS),
    Role.GRID_WORKER: _perms(["view", "add", "change"], _BASE_MODELS)
    + _perms(["view", "add"], _GROUP_MODELS),
    Role.DEPARTMENT_LIAISON: [],
    Role.INTEGRATOR: _perms(["view"], _BASE_MODELS),
}
