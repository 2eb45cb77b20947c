import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from workers import selectors, services
from workers.choices import CertificateLevel, TrainingResult, TrainingTopic
from workers.models import TrainingSession

pytestmark = pytest.mark.django_db


def test_attendance_and_results_give_the_training_figures(workers, tree):
    sessions = [
        services.training_session_create(
            topic=TrainingTopic.EVENT_REPORTING,
            title=f"事件上报培训{i}",
            held_on=dt.date(2025, 3, i + 1),
            area=tree["district"],
        )
        for i in range(3)
    ]
    services.training_attendance_record(
        session=sessions[0], worker=workers["v1"], result=TrainingResult.PASSED
    )
    services.training_attendance_record(
        session=sessions[1], worker=workers["v1"], result=TrainingResult.EXCELLENT
    )
    services.training_attendance_record(session=sessions[2], worker=workers["v1"], attended=False)
    figures = selectors.training_attendance(
        worker=workers["v1"], start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
    )
    assert (figures["invited"], figures["attended"], figures["passed"], str(figures["rate"])) == (
        3,
        2,
        2,
        "66.67",
    )


def test_an_absent_worker_cannot_have_passed(workers, tree):
    session = services.training_session_create(
        topic=TrainingTopic.DISPUTE_RESOLUTION, title="调解", held_on=dt.date(2025, 3, 1)
    )
    with pytest.raises(ValidationError):
        services.training_attendance_record(
            session=session, worker=workers["v1"], attended=False, result="passed"
        )


def test_a_certificate_raises_the_worker_s_level_but_never_lowers_it(workers):
    worker = workers["v1"]
    services.certificate_record(
        worker=worker, level=CertificateLevel.INTERMEDIATE, issued_on=dt.date(2024, 1, 1)
    )
    services.certificate_record(worker=worker, level=CertificateLevel.JUNIOR, issued_on=dt.date(2020, 1, 1))
    worker.refresh_from_db()
    assert worker.certificate_level == CertificateLevel.INTERMEDIATE
    assert worker.certificates.count() == 2


def test_a_town_user_sees_district_sessions_and_their_own_but_not_another_town_s(tree, town_user):
    district = services.training_session_create(
        topic="other", title="全区", held_on=dt.date(2025, 1, 1), area=tree["district"]
    )
    own = services.training_session_create(
        topic="other", title="甲镇", held_on=dt.date(2025, 1, 1), area=tree["town_a"]
    )
    services.training_session_create(
        topic="other", title="乙镇", held_on=dt.date(2025, 1, 1), area=tree["town_b"]
    )
    assert set(TrainingSession.objects.visible_to(town_user)) == {district, own}
