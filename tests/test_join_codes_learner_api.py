"""Learner endpoints of course join codes (look up, join), against the standalone host."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from certexceptions_plugin import api
from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.join_codes.models import JoinCode
from certexceptions_plugin.errors import PluginError
from certexceptions_plugin.standalone.models import CourseEnrollment
from tests.factories import CourseFactory, EnrollmentFactory, RoleFactory, UserFactory

CODE = "B123-C456"
NOT_FOUND = {"message": "This join code does not exist or no longer works.", "error_code": "join_code_not_found"}


@pytest.fixture
def course(db):
    return CourseFactory(display_name="Join 101", org="SchoolX")


@pytest.fixture
def learner(db):
    return UserFactory(username="pupil", email="pupil@school.edu")


@pytest.fixture(autouse=True)
def join_code(course):
    return JoinCode.objects.create(course_key=course.id, code=CODE)


@pytest.fixture
def enrollment_events():
    """The enrolments announced by COURSE_ENROLLMENT_CREATED during the test."""
    events = []

    def receiver(**kwargs):
        events.append(kwargs["enrollment"])
    COURSE_ENROLLMENT_CREATED.connect(receiver)
    yield events
    COURSE_ENROLLMENT_CREATED.disconnect(receiver)


@pytest.fixture
def assert_status(api_client):
    def check(user, status):
        response = look_up(api_client(user))
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status
    return check


@pytest.fixture
def assert_refused(api_client, course, join_code, assert_status):
    """The look-up shows ``status``, and joining is refused with it: no enrolment, no join counted or audited."""
    def check(user, status):
        assert_status(user, status)
        response = join(api_client(user))
        assert response.status_code == 403
        assert response.json()["error_code"] == status and response.json()["message"]
        assert not is_enrolled(user, course)
        assert JoinCode.objects.get(pk=join_code.pk).join_count == join_code.join_count
        assert not AuditEvent.objects.filter(action="join_code.joined").exists()
    return check


def url(code=CODE):
    return reverse("course_join", kwargs={"code": code})


def look_up(client, code=CODE):
    return client.get(url(code))


def join(client, code=CODE):
    return client.post(url(code))


def is_enrolled(user, course):
    return CourseEnrollment.objects.filter(user=user, course_id=course.id, is_active=True).exists()


def update_code(join_code, **fields):
    JoinCode.objects.filter(pk=join_code.pk).update(**fields)


class TestLookUp:

    def test_anonymous_sees_the_course(self, api_client, course):
        response = look_up(api_client())
        assert response.status_code == 200
        assert response.json() == {
            "status": "unauthenticated", "code": CODE,
            "course": {"id": str(course.id), "display_name": "Join 101", "org": "SchoolX"},
            "email_domain_restricted": False,
        }

    @pytest.mark.parametrize("typed", ["b123-c456", "B123C456", " b123 c456 ", "b123_c456"])
    def test_typed_forms_find_the_code(self, api_client, learner, typed):
        response = look_up(api_client(learner), code=typed)
        assert response.status_code == 200 and response.json()["code"] == CODE
        assert response.json()["status"] == "joinable"

    def test_email_domain_restricted_flag(self, api_client, join_code):
        update_code(join_code, allowed_email_domains=["school.edu"])
        assert look_up(api_client()).json()["email_domain_restricted"] is True

    @pytest.mark.parametrize("code", ["C123-B456", "A123-C456", "nonsense", "B123-C456-D789", "%20"])
    def test_unknown_code_is_404(self, api_client, learner, code):
        response = look_up(api_client(learner), code=code)
        assert response.status_code == 404 and response.json() == NOT_FOUND

    def test_inactive_and_expired_look_exactly_like_unknown(self, api_client, join_code):
        unknown = look_up(api_client(), code="C999-D999")
        update_code(join_code, is_active=False)
        inactive = look_up(api_client())
        update_code(join_code, is_active=True, expires_at=timezone.now() - timedelta(seconds=1))
        expired = look_up(api_client())
        for response in (unknown, inactive, expired):
            assert response.status_code == 404 and response.json() == NOT_FOUND
        assert unknown.content == inactive.content == expired.content

    def test_future_expiry_still_works(self, api_client, join_code):
        update_code(join_code, expires_at=timezone.now() + timedelta(hours=1))
        assert look_up(api_client()).status_code == 200


class TestStatuses:
    """Every status, for GET (200 with the status) and POST (what joining does)."""

    def test_unauthenticated(self, api_client, assert_status):
        assert_status(None, "unauthenticated")
        response = join(api_client())
        assert response.status_code == 401 and response.json()["error_code"] == "not_authenticated"
        assert not CourseEnrollment.objects.exists()

    def test_joinable_then_enrolled_then_already_enrolled(self, api_client, assert_status, course, learner,
                                                          join_code, enrollment_events):
        assert_status(learner, "joinable")
        response = join(api_client(learner))
        assert response.status_code == 200
        redirect = f"http://127.0.0.1:8000/courses/{course.id}/"
        assert response.json() == {"status": "enrolled", "redirect_url": redirect}
        assert is_enrolled(learner, course)
        assert [e.user.pii.username for e in enrollment_events] == ["pupil"]
        assert JoinCode.objects.get(pk=join_code.pk).join_count == 1
        [event] = AuditEvent.objects.filter(action="join_code.joined")
        assert (event.actor, event.learner_username, event.learner_email) == (learner, "pupil", "pupil@school.edu")
        assert event.after == {"code": CODE, "join_count": 1}

        assert_status(learner, "already_enrolled")
        again = join(api_client(learner))
        assert again.status_code == 200
        assert again.json() == {"status": "already_enrolled", "redirect_url": redirect}
        assert len(enrollment_events) == 1 and JoinCode.objects.get(pk=join_code.pk).join_count == 1
        assert AuditEvent.objects.filter(action="join_code.joined").count() == 1

    def test_already_enrolled_wins_over_refusals(self, api_client, assert_status, course, join_code):
        enrolled = EnrollmentFactory(course_id=course.id, user__email="x@elsewhere.org").user
        update_code(join_code, allowed_email_domains=["school.edu"], max_enrollments=1, join_count=1)
        assert_status(enrolled, "already_enrolled")
        assert join(api_client(enrolled)).json()["status"] == "already_enrolled"

    def test_unenrolled_learner_can_join_again(self, api_client, assert_status, course, learner):
        EnrollmentFactory(course_id=course.id, user=learner, is_active=False)
        assert_status(learner, "joinable")
        assert join(api_client(learner)).json()["status"] == "enrolled"
        assert is_enrolled(learner, course)

    @pytest.mark.parametrize("who", ["course_staff", "instructor", "global_staff"])
    def test_course_staff(self, request, api_client, assert_status, course, join_code, who):
        user = request.getfixturevalue(who)
        update_code(join_code, allowed_email_domains=["nowhere.edu"], max_enrollments=1, join_count=1)
        assert_status(user, "course_staff")
        response = join(api_client(user))
        assert response.status_code == 200
        assert response.json()["status"] == "course_staff" and response.json()["redirect_url"]
        assert not is_enrolled(user, course)

    def test_staff_of_another_course_is_a_learner_here(self, assert_status):
        user = RoleFactory(course_id=CourseFactory().id, role="instructor").user
        assert_status(user, "joinable")

    @pytest.mark.parametrize("email", ["pupil@SCHOOL.EDU", "Pupil@School.Edu", "pupil@school.edu"])
    def test_domain_check_is_case_insensitive(self, api_client, assert_status, join_code, email):
        update_code(join_code, allowed_email_domains=["school.edu", "other.org"])
        user = UserFactory(email=email)
        assert_status(user, "joinable")
        assert join(api_client(user)).json()["status"] == "enrolled"

    @pytest.mark.parametrize("email", [
        "pupil@elsewhere.edu", "pupil@sub.school.edu", "pupil@school.edu.evil.com", "no-at-sign", "",
    ])
    def test_domain_mismatch(self, assert_refused, join_code, email):
        update_code(join_code, allowed_email_domains=["school.edu"])
        assert_refused(UserFactory(email=email), "domain_mismatch")

    def test_unconfirmed_account_cannot_claim_a_domain(self, assert_refused, join_code):
        update_code(join_code, allowed_email_domains=["school.edu"])
        assert_refused(UserFactory(email="new@school.edu", is_active=False), "domain_mismatch")

    def test_unconfirmed_account_may_join_an_unrestricted_code(self, assert_status):
        user = UserFactory(email="new@school.edu", is_active=False)
        assert_status(user, "joinable")

    def test_enrollment_window_closed(self, assert_refused, course, learner):
        course.enrollment_end = timezone.now() - timedelta(days=1)
        course.save()
        assert_refused(learner, "enrollment_closed")

    def test_enrollment_not_yet_open(self, assert_refused, course, learner):
        course.enrollment_start = timezone.now() + timedelta(days=1)
        course.save()
        assert_refused(learner, "enrollment_closed")

    def test_invitation_only(self, assert_refused, course, learner):
        course.invitation_only = True
        course.save()
        assert_refused(learner, "enrollment_closed")

    def test_course_full(self, assert_refused, join_code, learner):
        update_code(join_code, max_enrollments=2, join_count=2)
        join_code.refresh_from_db()
        assert_refused(learner, "course_full")

    def test_maximum_counts_joins_through_the_code(self, api_client, course, join_code):
        update_code(join_code, max_enrollments=2)
        learners = [UserFactory() for _ in range(3)]
        assert [join(api_client(user)).status_code for user in learners] == [200, 200, 403]
        assert [is_enrolled(user, course) for user in learners] == [True, True, False]
        assert JoinCode.objects.get(pk=join_code.pk).join_count == 2

    def test_joins_with_an_inactive_code_are_404(self, api_client, course, learner, join_code):
        update_code(join_code, is_active=False)
        response = join(api_client(learner))
        assert response.status_code == 404 and response.json() == NOT_FOUND
        assert not is_enrolled(learner, course)

    def test_joins_with_an_expired_code_are_404(self, api_client, course, learner, join_code):
        update_code(join_code, expires_at=timezone.now() - timedelta(minutes=1))
        assert join(api_client(learner)).status_code == 404
        assert not is_enrolled(learner, course)

    def test_course_gone_from_the_lms_is_404(self, api_client, course, learner):
        course.delete()
        assert look_up(api_client(learner)).json() == NOT_FOUND


class TestRateLimits:

    def test_per_ip_across_look_ups_and_joins(self, settings, learner):
        settings.CERTEXCEPTIONS_JOIN_CODE_RATE_PER_IP = "3/minute"
        settings.CERTEXCEPTIONS_JOIN_CODE_RATE_PER_USER = None
        client = APIClient(REMOTE_ADDR="10.0.0.1")
        # An anonymous POST is refused (401) before any code is read, and does not count.
        statuses = [client.get(url("C999-D999")).status_code, client.post(url()).status_code,
                    client.get(url()).status_code]
        signed_in = APIClient(REMOTE_ADDR="10.0.0.1")
        signed_in.force_authenticate(learner)
        statuses.append(signed_in.post(url()).status_code)
        assert statuses == [404, 401, 200, 200]
        response = client.get(url())
        assert response.status_code == 429
        assert response.json()["error_code"] == "rate_limited" and response.json()["message"]
        assert 0 < int(response["Retry-After"]) <= 60
        # Guessing more codes from the same address is refused before the code is even looked at.
        assert client.get(url("C999-D998")).status_code == 429
        assert APIClient(REMOTE_ADDR="10.0.0.2").get(url()).status_code == 200

    def test_a_forged_forwarded_for_header_does_not_reset_the_limit(self, settings):
        settings.CERTEXCEPTIONS_JOIN_CODE_RATE_PER_IP = "2/minute"
        settings.CERTEXCEPTIONS_JOIN_CODE_RATE_PER_USER = None
        statuses = [APIClient(REMOTE_ADDR="93.184.216.34", HTTP_X_FORWARDED_FOR=f"151.101.1.{n}")
                    .get(url()).status_code for n in range(3)]
        assert statuses == [200, 200, 429]

    def test_per_user_whatever_the_address(self, settings, learner):
        settings.CERTEXCEPTIONS_JOIN_CODE_RATE_PER_IP = None
        settings.CERTEXCEPTIONS_JOIN_CODE_RATE_PER_USER = "2/minute"
        for n, expected in enumerate([200, 200, 429]):
            client = APIClient(REMOTE_ADDR=f"10.0.1.{n}")
            client.force_authenticate(learner)
            assert client.post(url()).status_code == expected
        other = APIClient(REMOTE_ADDR="10.0.1.0")
        other.force_authenticate(UserFactory())
        assert other.post(url()).status_code == 200

    def test_rejected_join_is_not_applied(self, settings, course, learner):
        settings.CERTEXCEPTIONS_JOIN_CODE_RATE_PER_IP = "2/minute"
        client = APIClient(REMOTE_ADDR="10.0.2.1")
        client.force_authenticate(learner)
        client.get(url())
        client.get(url())
        assert client.post(url()).status_code == 429
        assert not is_enrolled(learner, course)

    def test_defaults_allow_a_classroom(self):
        client = APIClient(REMOTE_ADDR="10.0.3.1")
        assert all(client.get(url()).status_code == 200 for _ in range(30))


class TestPythonApi:

    def test_join_and_look_up(self, course, learner):
        assert api.look_up_join_code(code="b123c456", user=learner).status == "joinable"
        result = api.join_course_with_code(code="b123c456", user=learner)
        assert result.status == "enrolled" and result.course_key == course.id and is_enrolled(learner, course)

    def test_refusal_raises_with_the_status(self, learner, join_code):
        update_code(join_code, max_enrollments=1, join_count=1)
        with pytest.raises(PluginError) as caught:
            api.join_course_with_code(code=CODE, user=learner)
        assert caught.value.error_code == "course_full" and caught.value.http_status == 403

    def test_staff_functions(self, global_staff):
        course = CourseFactory()
        info, created = api.create_join_code(course_key=str(course.id), actor=global_staff)
        assert created and api.get_join_code(course_key=course.id) == info
        changed = api.update_join_code(course_key=course.id, actor=global_staff,
                                       allowed_email_domains=["School.EDU"], max_enrollments=3)
        assert changed.allowed_email_domains == ("school.edu",) and changed.max_enrollments == 3
        cleared = api.update_join_code(course_key=course.id, actor=global_staff, max_enrollments=None)
        assert cleared.max_enrollments is None
        with pytest.raises(ValidationError):
            api.update_join_code(course_key=course.id, actor=global_staff, allowed_email_domains=["not a domain"])
        assert api.regenerate_join_code(course_key=course.id, actor=global_staff).code != info.code
