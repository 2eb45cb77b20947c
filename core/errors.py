"""Errors the services raise; interfaces translate them (HTTP 409, form errors, admin messages)."""

from django.utils.translation import gettext_lazy as _


class ConflictError(Exception):
    """The object is not in a state that allows this action, or someone else changed it first."""

    default_message = _("This action conflicts with the current state.")

    def __init__(self, message=None, *, current_state: str | None = None):
        self.message = message or self.default_message
        self.current_state = current_state
        super().__init__(str(self.message))
