from rest_framework.permissions import DjangoModelPermissions


class ModelPermissionsOrReadOnly(DjangoModelPermissions):
    """Reads need only a signed-in user (scoping narrows them); writes need the model permission."""

    perms_map = {
        "GET": [],
        "OPTIONS": [],
        "HEAD": [],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }
