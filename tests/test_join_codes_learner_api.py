"""Learner endpoints of course join codes (look up, join), against the standalone host."""
from datetime import timedelta

import ddt
import pytest
from django.test import TestCase, override_settings
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


class LearnerTestBase(TestCase):

    @classmethod
    def setUpTestData(cls):
        cls.course = CourseFactory(display_name="Join 101", org="SchoolX")
        cls.learner = UserFactory(username="pupil", email="pupil@school.edu")

    def setUp(self):
        self.join_code = JoinCode.objects.create(course_key=self.course.id, code=CODE)

    def url(self, code=CODE):
        return reverse("course_join", kwargs={"code": code})

    def client_for(self, user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    def look_up(self, user=None, code=CODE):
        return self.client_for(user).get(self.url(code))

    def join(self, user=None, code=CODE):
        return self.client_for(user).post(self.url(code))

    def enrolled(self, user):
        return CourseEnrollment.objects.filter(user=user, course_id=self.course.id, is_active=True).exists()

    def set(self, **fields):
        JoinCode.objects.filter(pk=self.join_code.pk).update(**fields)


@ddt.ddt
class TestLookUp(LearnerTestBase):

    def test_anonymous_sees_the_course(self):
        response = self.look_up()
        assert response.status_code == 200
        assert response.json() == {
            "status": "unauthenticated", "code": CODE,
            "course": {"id": str(self.course.id), "display_name": "Join 101", "org": "SchoolX"},
            "email_domain_restricted": False,
        }

    @ddt.data("b123-c456", "B123C456", " b123 c456 ", "b123_c456")
    def test_typed_forms_find_the_code(self, typed):
        response = self.look_up(self.learner, code=typed)
        assert response.status_code == 200 and response.json()["code"] == CODE
        assert response.json()["status"] == "joinable"

    def test_email_domain_restricted_flag(self):
        self.set(allowed_email_domains=["school.edu"])
        assert self.look_up().json()["email_domain_restricted"] is True

    @ddt.data("C123-B456", "A123-C456", "nonsense", "B123-C456-D789", "%20")
    def test_unknown_code_is_404(self, code):
        response = self.look_up(self.learner, code=code)
        assert response.status_code == 404 and response.json() == NOT_FOUND

    def test_inactive_and_expired_look_exactly_like_unknown(self):
        unknown = self.look_up(code="C999-D999")
        self.set(is_active=False)
        inactive = self.look_up()
        self.set(is_active=True, expires_at=timezone.now() - timedelta(seconds=1))
        expired = self.look_up()
        for response in (unknown, inactive, expired):
            assert response.status_code == 404 and response.json() == NOT_FOUND
        assert unknown.content == inactive.content == expired.content

    def test_future_expiry_still_works(self):
        self.set(expires_at=timezone.now() + timedelta(hours=1))
        assert self.look_up().status_code == 200


@ddt.ddt
class TestStatuses(LearnerTestBase):
    """Every status, for GET (200 with the status) and POST (what joining does)."""

    def assert_status(self, user, status):
        response = self.look_up(user)
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status

    def assert_refused(self, user, status):
        self.assert_status(user, status)
        response = self.join(user)
        assert response.status_code == 403
        assert response.json()["error_code"] == status and response.json()["message"]
        assert not self.enrolled(user)
        assert JoinCode.objects.get(pk=self.join_code.pk).join_count == self.join_code.join_count
        assert not AuditEvent.objects.filter(action="join_code.joined").exists()

    def test_unauthenticated(self):
        self.assert_status(None, "unauthenticated")
        response = self.join(None)
        assert response.status_code == 401 and response.json()["error_code"] == "not_authenticated"
        assert not CourseEnrollment.objects.exists()

    def test_joinable_then_enrolled_then_already_enrolled(self):
        events = []

        def receiver(**kwargs):
            events.append(kwargs["enrollment"])
        COURSE_ENROLLMENT_CREATED.connect(receiver)
        self.addCleanup(COURSE_ENROLLMENT_CREATED.disconnect, receiver)

        self.assert_status(self.learner, "joinable")
        response = self.join(self.learner)
        assert response.status_code == 200
        redirect = f"http://127.0.0.1:8000/courses/{self.course.id}/"
        assert response.json() == {"status": "enrolled", "redirect_url": redirect}
        assert self.enrolled(self.learner)
        assert [e.user.pii.username for e in events] == ["pupil"]
        assert JoinCode.objects.get(pk=self.join_code.pk).join_count == 1
        [event] = AuditEvent.objects.filter(action="join_code.joined")
        assert (event.actor, event.learner_username, event.learner_email) == (self.learner, "pupil",
                                                                              "pupil@school.edu")
        assert event.after == {"code": CODE, "join_count": 1}

        self.assert_status(self.learner, "already_enrolled")
        again = self.join(self.learner)
        assert again.status_code == 200
        assert again.json() == {"status": "already_enrolled", "redirect_url": redirect}
        assert len(events) == 1 and JoinCode.objects.get(pk=self.join_code.pk).join_count == 1
        assert AuditEvent.objects.filter(action="join_code.joined").count() == 1

    def test_already_enrolled_wins_over_refusals(self):
        enrolled = EnrollmentFactory(course_id=self.course.id, user__email="x@elsewhere.org").user
        self.set(allowed_email_domains=["school.edu"], max_enrollments=1, join_count=1)
        self.assert_status(enrolled, "already_enrolled")
        assert self.join(enrolled).json()["status"] == "already_enrolled"

    def test_unenrolled_learner_can_join_again(self):
        EnrollmentFactory(course_id=self.course.id, user=self.learner, is_active=False)
        self.assert_status(self.learner, "joinable")
        assert self.join(self.learner).json()["status"] == "enrolled"
        assert self.enrolled(self.learner)

    @ddt.data("staff", "instructor", "global_staff")
    def test_course_staff(self, who):
        user = (UserFactory(is_staff=True) if who == "global_staff"
                else RoleFactory(course_id=self.course.id, role=who).user)
        self.set(allowed_email_domains=["nowhere.edu"], max_enrollments=1, join_count=1)
        self.assert_status(user, "course_staff")
        response = self.join(user)
        assert response.status_code == 200
        assert response.json()["status"] == "course_staff" and response.json()["redirect_url"]
        assert not self.enrolled(user)

    def test_staff_of_another_course_is_a_learner_here(self):
        user = RoleFactory(course_id=CourseFactory().id, role="instructor").user
        self.assert_status(user, "joinable")

    @ddt.data("pupil@SCHOOL.EDU", "Pupil@School.Edu", "pupil@school.edu")
    def test_domain_check_is_case_insensitive(self, email):
        self.set(allowed_email_domains=["school.edu", "other.org"])
        user = UserFactory(email=email)
        self.assert_status(user, "joinable")
        assert self.join(user).json()["status"] == "enrolled"

    @ddt.data("pupil@elsewhere.edu", "pupil@sub.school.edu", "pupil@school.edu.evil.com", "no-at-sign", "")
    def test_domain_mismatch(self, email):
        self.set(allowed_email_domains=["school.edu"])
        self.assert_refused(UserFactory(email=email), "domain_mismatch")

    def test_unconfirmed_account_cannot_claim_a_domain(self):
        self.set(allowed_email_domains=["school.edu"])
        self.assert_refused(UserFactory(email="new@school.edu", is_active=False), "domain_mismatch")

    def test_unconfirmed_account_may_join_an_unrestricted_code(self):
        user = UserFactory(email="new@school.edu", is_active=False)
        self.assert_status(user, "joinable")

    def test_enrollment_window_closed(self):
        self.course.enrollment_end = timezone.now() - timedelta(days=1)
        self.course.save()
        self.assert_refused(self.learner, "enrollment_closed")

    def test_enrollment_not_yet_open(self):
        self.course.enrollment_start = timezone.now() + timedelta(days=1)
        self.course.save()
        self.assert_refused(self.learner, "enrollment_closed")

    def test_invitation_only(self):
        self.course.invitation_only = True
        self.course.save()
        self.assert_refused(self.learner, "enrollment_closed")

    def test_course_full(self):
        self.set(max_enrollments=2, join_count=2)
        self.join_code.refresh_from_db()
        self.assert_refused(self.learner, "course_full")

    def test_maximum_counts_joins_through_the_code(self):
        self.set(max_enrollments=2)
        learners = [UserFactory() for _ in range(3)]
        assert [self.join(user).status_code for user in learners] == [200, 200, 403]
        assert [self.enrolled(user) for user in learners] == [True, True, False]
        assert JoinCode.objects.get(pk=self.join_code.pk).join_count == 2

    def test_joins_with_an_inactive_code_are_404(self):
        self.set(is_active=False)
        response = self.join(self.learner)
        assert response.status_code == 404 and response.json() == NOT_FOUND
        assert not self.enrolled(self.learner)

    def test_joins_with_an_expired_code_are_404(self):
        self.set(expires_at=timezone.now() - timedelta(minutes=1))
        assert self.join(self.learner).status_code == 404
        assert not self.enrolled(self.learner)

    def test_course_gone_from_the_lms_is_404(self):
        self.course.delete()
        assert self.look_up(self.learner).json() == NOT_FOUND


@ddt.ddt
class TestRateLimits(LearnerTestBase):

    @override_settings(CERTEXCEPTIONS_JOIN_CODE_RATE_PER_IP="3/minute", CERTEXCEPTIONS_JOIN_CODE_RATE_PER_USER=None)
    def test_per_ip_across_look_ups_and_joins(self):
        client = APIClient(REMOTE_ADDR="10.0.0.1")
        # An anonymous POST is refused (401) before any code is read, and does not count.
        statuses = [client.get(self.url("C999-D999")).status_code, client.post(self.url()).status_code,
                    client.get(self.url()).status_code]
        signed_in = APIClient(REMOTE_ADDR="10.0.0.1")
        signed_in.force_authenticate(self.learner)
        statuses.append(signed_in.post(self.url()).status_code)
        assert statuses == [404, 401, 200, 200]
        response = client.get(self.url())
        assert response.status_code == 429
        assert response.json()["error_code"] == "rate_limited" and response.json()["message"]
        assert 0 < int(response["Retry-After"]) <= 60
        # Guessing more codes from the same address is refused before the code is even looked at.
        assert client.get(self.url("C999-D998")).status_code == 429
        assert APIClient(REMOTE_ADDR="10.0.0.2").get(self.url()).status_code == 200

    @override_settings(CERTEXCEPTIONS_JOIN_CODE_RATE_PER_IP="2/minute", CERTEXCEPTIONS_JOIN_CODE_RATE_PER_USER=None)
    def test_a_forged_forwarded_for_header_does_not_reset_the_limit(self):
        statuses = [APIClient(REMOTE_ADDR="93.184.216.34", HTTP_X_FORWARDED_FOR=f"151.101.1.{n}")
                    .get(self.url()).status_code for n in range(3)]
        assert statuses == [200, 200, 429]

    @override_settings(CERTEXCEPTIONS_JOIN_CODE_RATE_PER_IP=None, CERTEXCEPTIONS_JOIN_CODE_RATE_PER_USER="2/minute")
    def test_per_user_whatever_the_address(self):
        for n, expected in enumerate([200, 200, 429]):
            client = APIClient(REMOTE_ADDR=f"10.0.1.{n}")
            client.force_authenticate(self.learner)
            assert client.post(self.url()).status_code == expected
        other = APIClient(REMOTE_ADDR="10.0.1.0")
        other.force_authenticate(UserFactory())
        assert other.post(self.url()).status_code == 200

    @override_settings(CERTEXCEPTIONS_JOIN_CODE_RATE_PER_IP="2/minute")
    def test_rejected_join_is_not_applied(self):
        client = APIClient(REMOTE_ADDR="10.0.2.1")
        client.force_authenticate(self.learner)
        client.get(self.url())
        client.get(self.url())
        assert client.post(self.url()).status_code == 429
        assert not self.enrolled(self.learner)

    def test_defaults_allow_a_classroom(self):
        client = APIClient(REMOTE_ADDR="10.0.3.1")
        assert all(client.get(self.url()).status_code == 200 for _ in range(30))


class TestPythonApi(LearnerTestBase):

    def test_join_and_look_up(self):
        assert api.look_up_join_code(code="b123c456", user=self.learner).status == "joinable"
        result = api.join_course_with_code(code="b123c456", user=self.learner)
        assert result.status == "enrolled" and result.course_key == self.course.id and self.enrolled(self.learner)

    def test_refusal_raises_with_the_status(self):
        self.set(max_enrollments=1, join_count=1)
        with pytest.raises(PluginError) as caught:
            api.join_course_with_code(code=CODE, user=self.learner)
        assert caught.value.error_code == "course_full" and caught.value.http_status == 403

    def test_staff_functions(self):
        staff = UserFactory(is_staff=True)
        course = CourseFactory()
        info, created = api.create_join_code(course_key=str(course.id), actor=staff)
        assert created and api.get_join_code(course_key=course.id) == info
        changed = api.update_join_code(course_key=course.id, actor=staff, allowed_email_domains=["School.EDU"],
                                       max_enrollments=3)
        assert changed.allowed_email_domains == ("school.edu",) and changed.max_enrollments == 3
        assert api.update_join_code(course_key=course.id, actor=staff, max_enrollments=None).max_enrollments is None
        with pytest.raises(ValidationError):
            api.update_join_code(course_key=course.id, actor=staff, allowed_email_domains=["not a domain"])
        assert api.regenerate_join_code(course_key=course.id, actor=staff).code != info.code
