from importlib import import_module
from types import ModuleType


def import_optional(module_name: str) -> ModuleType | None:
    """The module, or None when it does not exist (an app without that part).

    An ImportError raised inside an existing module is not hidden: only the module itself may be missing.
    """
    try:
        return import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module_name.startswith(exc.name):
            raise
        return None
