"""Draft schemes for the current year (worker, grid, town), ready to be reviewed, adjusted and computed."""

from django.utils import timezone

from .bench import default_scheme
from .choices import SubjectType
from .models import Scheme


def seed(stdout=None) -> int:
    year = timezone.localdate().year
    before = Scheme.objects.count()
    for subject_type in SubjectType.values:
        default_scheme(year, subject_type)
    created = Scheme.objects.count() - before
    if stdout:
        stdout.write(f"assessment: {created} draft scheme(s) for {year} created")
    return created
