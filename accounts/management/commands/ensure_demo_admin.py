import secrets

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.models import Role, User
from accounts.roles import apply_role
from grids.models import Area
from grids.seed import DISTRICT_CODE


class Command(BaseCommand):
    help = "Create the demo district administrator `admin` (once) and print its password."

    def handle(self, *args, **options):
        password_file = settings.VAR_DIR / "admin-password.txt"
        user = User.objects.filter(username="admin").first()
        if user is not None and password_file.exists():
            password = password_file.read_text().strip()
        else:
            password = "Ey-" + secrets.token_urlsafe(12)
            if user is None:
                user = User(
                    username="admin",
                    role=Role.DISTRICT_ADMIN,
                    is_staff=True,
                    is_superuser=True,
                    display_name="区网格中心管理员",
                )
            user.jurisdiction = Area.objects.filter(code=DISTRICT_CODE).first()
            user.set_password(password)
            user.save()
            apply_role(user)
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Demo district administrator: admin / {password}"))
