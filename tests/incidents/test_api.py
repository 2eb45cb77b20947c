import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from incidents import services
from incidents.choices import Status
from incidents.models import Incident, IncidentPhoto
from tests.incidents.factories import report

pytestmark = pytest.mark.django_db


def jpeg_with_exif(name="photo.jpg", size=(64, 48)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0132] = "2026:11:23 10:00:00"  # DateTime
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_listing_incidents_takes_the_same_queries_for_3_or_30_rows(
    tree, monday, api_for, district_user, django_assert_max_num_queries
):
    client = api_for(district_user)
    for _ in range(3):
        report(tree["grid_v1"])
    with django_assert_max_num_queries(6) as few:
        assert client.get("/api/v1/incidents/").data["count"] == 3
    for _ in range(27):
        report(tree["grid_b1"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/incidents/").data["count"] == 30


def test_the_list_is_scoped_and_an_incident_outside_the_scope_is_a_404(tree, monday, api_for, town_user):
    mine = report(tree["grid_v1"])
    theirs = report(tree["grid_b1"])
    client = api_for(town_user)
    assert [r["id"] for r in client.get("/api/v1/incidents/").data["results"]] == [mine.pk]
    assert client.get(f"/api/v1/incidents/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/incidents/{theirs.pk}/accept/").status_code == 404


def test_anonymous_callers_get_nothing(tree, monday, api):
    report(tree["grid_v1"])
    assert api.get("/api/v1/incidents/").status_code in (401, 403)


def test_an_invalid_transition_answers_409_naming_the_current_state(tree, monday, api_for, district_user):
    incident = report(tree["grid_v1"])
    client = api_for(district_user)
    response = client.post(f"/api/v1/incidents/{incident.pk}/close/")
    assert response.status_code == 409
    assert response.data["current_state"] == Status.REPORTED
    assert "已上报" in response.data["detail"] or "reported" in response.data["detail"]


def test_a_stale_version_answers_409(tree, monday, api_for, district_user):
    incident = report(tree["grid_v1"])
    client = api_for(district_user)
    assert (
        client.post(f"/api/v1/incidents/{incident.pk}/accept/", {"version": 1}, format="json").status_code
        == 200
    )
    response = client.post(
        f"/api/v1/incidents/{incident.pk}/supervise/", {"version": 1, "kind": "yellow"}, format="json"
    )
    assert response.status_code == 409


def test_the_loop_through_the_api(tree, monday, api_for, district_user, department, liaison):
    client = api_for(district_user)
    created = client.post(
        "/api/v1/incidents/",
        {
            "category": "0203",
            "description": "楼道堆放杂物堵塞消防通道",
            "grid": tree["grid_v1"].pk,
            "reporter_phone": "13800138000",
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    assert created.data["reporter_phone"] == "138****8000"
    pk = created.data["id"]
    assert client.post(f"/api/v1/incidents/{pk}/accept/").status_code == 200
    dispatched = client.post(
        f"/api/v1/incidents/{pk}/dispatch/", {"department": department.pk}, format="json"
    )
    assert dispatched.data["level"] == "district"
    officer = api_for(liaison)
    assert officer.post(f"/api/v1/incidents/{pk}/start/").status_code == 200
    extension = officer.post(
        f"/api/v1/incidents/{pk}/request-extension/", {"amount": "2", "reason": "需协调"}, format="json"
    )
    assert extension.status_code == 201
    assert (
        client.post(f"/api/v1/incident-extensions/{extension.data['id']}/approve/").data["status"]
        == "approved"
    )
    assert (
        officer.post(f"/api/v1/incidents/{pk}/handle/", {"result": "已清理"}, format="json").status_code
        == 200
    )
    assert client.post(f"/api/v1/incidents/{pk}/verify/").status_code == 200
    assert client.post(f"/api/v1/incidents/{pk}/close/").status_code == 200
    done = client.post(f"/api/v1/incidents/{pk}/evaluate/", {"satisfaction": "basically"}, format="json")
    assert done.data["status"] == Status.EVALUATED
    assert [e["action"] for e in done.data["events"]][-1] == "evaluate"
    figures = client.get("/api/v1/incidents/figures/").data
    assert figures["evaluated"] == 1 and figures["satisfaction_rate"] == "100.00"


def test_a_liaison_cannot_act_on_what_was_not_dispatched_to_them(tree, monday, api_for, liaison):
    incident = report(tree["grid_v1"])
    assert api_for(liaison).post(f"/api/v1/incidents/{incident.pk}/start/").status_code == 404


def test_bad_input_answers_400_with_field_messages(tree, monday, api_for, district_user):
    response = api_for(district_user).post(
        "/api/v1/incidents/",
        {"category": "0203", "description": "短", "grid": tree["grid_v1"].pk},
        format="json",
    )
    assert response.status_code == 400 and "description" in response.data


def test_photos_are_sniffed_re_encoded_and_stripped_of_exif(tree, monday, api_for, district_user):
    client = api_for(district_user)
    response = client.post(
        "/api/v1/incidents/",
        {
            "category": "0203",
            "description": "电线裸露在外",
            "grid": tree["grid_v1"].pk,
            "photos": [jpeg_with_exif()],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.data
    photo = IncidentPhoto.objects.get(incident_id=response.data["id"])
    with photo.image.open("rb") as f, Image.open(f) as stored:
        assert stored.format == "JPEG" and not stored.getexif()
    assert photo.image.name.startswith("incidents/2026/11/")
    client.force_login(district_user)  # the photo is served by a page view, behind the session
    served = client.get(response.data["photos"][0]["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(tree, monday, api_for, district_user):
    fake = SimpleUploadedFile("photo.jpg", b"<?php echo 'hi'; ?>", content_type="image/jpeg")
    response = api_for(district_user).post(
        "/api/v1/incidents/",
        {"category": "0203", "description": "电线裸露在外", "grid": tree["grid_v1"].pk, "photos": [fake]},
        format="multipart",
    )
    assert response.status_code == 400 and "photos" in response.data
    assert not Incident.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(tree, monday, api_for, district_user, settings):
    settings.INCIDENTS_PHOTO_MAX_BYTES = 100
    response = api_for(district_user).post(
        "/api/v1/incidents/",
        {
            "category": "0203",
            "description": "电线裸露在外",
            "grid": tree["grid_v1"].pk,
            "photos": [jpeg_with_exif()],
        },
        format="multipart",
    )
    assert response.status_code == 400 and "photos" in response.data


def test_filters_narrow_the_list(tree, monday, api_for, district_user):
    report(tree["grid_v1"], code="0203")
    accepted = services.incident_accept(incident=report(tree["grid_v1"]), actor=district_user)
    client = api_for(district_user)
    assert client.get("/api/v1/incidents/?category=02").data["count"] == 1
    assert client.get("/api/v1/incidents/?category=01").data["count"] == 1
    assert [r["id"] for r in client.get("/api/v1/incidents/?status=accepted").data["results"]] == [
        accepted.pk
    ]
    assert client.get(f"/api/v1/incidents/?within={tree['town_b'].pk}").data["count"] == 0
    assert client.get("/api/v1/incidents/breakdown/?by=group").status_code == 200


def test_the_public_api_returns_a_tracking_code_and_a_status_without_personal_data(tree, monday, api):
    from grids import geometry
    from grids.services import area_update

    area_update(area=tree["grid_v1"], boundary=geometry.rectangle(106.5, 31.7, 106.7, 31.9))
    created = api.post(
        "/api/v1/public/incidents/",
        {
            "category": "0503",
            "description": "路边垃圾堆积很久没人清理",
            "latitude": 31.8,
            "longitude": 106.6,
            "reporter_phone": "13800138000",
        },
        format="json",
    )
    assert created.status_code == 201
    code = created.data["tracking_code"]
    status = api.get(f"/api/v1/public/incidents/{code}/")
    assert status.status_code == 200 and status.data["status"] == Status.REPORTED
    assert "13800138000" not in str(status.data) and "138" not in str(status.data)
    assert api.get("/api/v1/public/incidents/NOSUCHCODE/").status_code == 404


API_PAYLOADS = {
    "dispatch": lambda t: {"area": t["grid_v1"].pk},
    "start": lambda t: {},
    "handle": lambda t: {"result": "已处置"},
    "verify": lambda t: {},
    "rework": lambda t: {"note": "重做"},
    "close": lambda t: {},
    "evaluate": lambda t: {"satisfaction": "satisfied"},
    "return": lambda t: {"note": "退回"},
    "assign-down": lambda t: {"area": t["grid_v1"].pk},
    "request-extension": lambda t: {"amount": "1", "reason": "需要时间"},
}


@pytest.mark.parametrize("name", sorted(API_PAYLOADS))
def test_every_transition_not_allowed_from_reported_answers_409_through_the_api(
    tree, monday, api_for, district_user, name
):
    incident = report(tree["grid_v1"])
    response = api_for(district_user).post(
        f"/api/v1/incidents/{incident.pk}/{name}/", API_PAYLOADS[name](tree), format="json"
    )
    assert response.status_code == 409, response.data
    assert response.data["current_state"] == Status.REPORTED
    assert incident.events.count() == 1


def test_the_to_do_list_shows_each_user_what_waits_for_them(
    tree, monday, api_for, grid_worker, village_user, town_user
):
    waiting_acceptance = report(tree["grid_v1"])
    dispatched = services.incident_accept(incident=report(tree["grid_v1"]), actor=village_user)
    dispatched = services.incident_dispatch(incident=dispatched, actor=village_user, area=tree["grid_v1"])
    at_town = services.incident_escalate(
        incident=report(tree["grid_v1"]), actor=grid_worker, note="需镇街协调"
    )

    def todo(user):
        return {r["id"] for r in api_for(user).get("/api/v1/incidents/todo/").data["results"]}

    assert todo(village_user) == {waiting_acceptance.pk}
    assert todo(grid_worker) == {dispatched.pk}
    assert todo(town_user) == {at_town.pk}
