"""
LMS behaviour only the openedx adapter meets, over the fake LMS: writes the LMS fails for one learner, the
invitation emails' parameters, and courses whose overview row is not built yet.
"""
import pytest
from django.core import mail
from django.db import transaction

from certexceptions_plugin.host.port import LearnerRef
from tests.openedx_fakes.models import EnrollmentNotAllowed, UserProfile


def ref(user):
    return LearnerRef(id=user.id, username=user.username, email=user.email, is_active=user.is_active)


@pytest.fixture
def lms(db, openedx_lms):  # pylint: disable=unused-argument
    return openedx_lms


@pytest.fixture
def host(lms):
    return lms.make_host()


@pytest.fixture
def course(lms):
    return lms.course()


class TestOneLearnerFails:
    """The LMS raises for one learner: that learner is reported, nothing of them stays, the others are written."""

    def test_the_enrolment_filter_refuses_one_learner(self, lms, host, course):
        ada, bob, carol = (lms.user(name) for name in ("ada", "bob", "carol"))
        lms.fail_write("enroll", bob, EnrollmentNotAllowed("Enrolment is closed to your organisation."))
        failures = host.enroll(course_key=course, learners=[ref(ada), ref(bob), ref(carol)], actor=ada,
                               reason="test")
        assert failures == {bob.id: "EnrollmentNotAllowed: Enrolment is closed to your organisation."}
        assert lms.enrollments(course) == {ada.id: True, carol.id: True}
        assert {audit[1] for audit in lms.manual_enrollment_audits()} == {"ada@example.com", "carol@example.com"}

    def test_an_account_without_a_profile_leaves_no_enrolment_behind(self, lms, host, course):
        # The LMS writes the enrolment, then reads user.profile.name to emit COURSE_ENROLLMENT_CREATED.
        ada, noprofile = lms.user("ada"), lms.user("noprofile", profile=False)
        failures = host.enroll(course_key=course, learners=[ref(noprofile), ref(ada)])
        assert failures == {noprofile.id: "RelatedObjectDoesNotExist: User has no profile."}
        assert lms.enrollments(course) == {ada.id: True}

    def test_an_email_shared_by_two_accounts_is_not_invited(self, lms, host, course):
        lms.user("twin1", email="twin@example.com", is_active=False)
        lms.user("twin2", email="twin@example.com", is_active=False)
        failures = host.invite(course_key=course, emails=["twin@example.com", "new@example.com"], auto_enroll=True,
                               email_learners=False)
        assert list(failures) == ["twin@example.com"]
        assert failures["twin@example.com"].startswith("MultipleObjectsReturned: get() returned more than one")
        assert lms.invitations(course) == {"new@example.com": True}

    def test_any_other_error_after_the_invitation_is_written_rolls_it_back(self, lms, host, course):
        lms.fail_write("invite", "Broken@Example.com", RuntimeError("the mail service is down"))
        failures = host.invite(course_key=course, emails=["broken@example.com", "new@example.com"],
                               auto_enroll=False, email_learners=False)
        assert failures == {"broken@example.com": "RuntimeError: the mail service is down"}
        assert lms.invitations(course) == {"new@example.com": False}

    def test_granting(self, lms, host, course):
        ada, bob = lms.user("ada"), lms.user("bob")
        lms.fail_write("grant_certificate_exceptions", ada, RuntimeError("certificate generation failed"))
        failures = host.grant_certificate_exceptions(course_key=course, learners=[ref(ada), ref(bob)],
                                                     notes={ada.id: "a", bob.id: "b"})
        assert failures == {ada.id: "RuntimeError: certificate generation failed"}
        assert lms.allowlist_rows(course) == {bob.id: (True, "b")}

    def test_removing(self, lms, host, course):
        ada, bob = lms.user("ada"), lms.user("bob")
        lms.allowlist(ada, course, notes="kept")
        lms.allowlist(bob, course)
        certificate = lms.models.GeneratedCertificate.objects.create(user=ada, course_id=course,
                                                                     status="downloadable")
        lms.fail_write("remove_certificate_exceptions", ada, ValueError())
        failures = host.remove_certificate_exceptions(course_key=course, learners=[ref(ada), ref(bob)])
        assert failures == {ada.id: "ValueError"}
        assert lms.allowlist_rows(course) == {ada.id: (True, "kept")}
        certificate.refresh_from_db()
        assert certificate.status == "downloadable"  # its invalidation was rolled back with the rest

    def test_an_account_deleted_since_the_plan_is_a_failure(self, lms, host, course):
        ada = lms.user("ada")
        gone = LearnerRef(id=ada.id + 1000, username="gone", email="gone@example.com")
        assert host.enroll(course_key=course, learners=[gone, ref(ada)]) == {gone.id: "User.DoesNotExist"}
        assert lms.enrollments(course) == {ada.id: True}

    def test_the_surrounding_transaction_stays_usable(self, lms, host, course):
        ada, noprofile = lms.user("ada"), lms.user("noprofile", profile=False)
        with transaction.atomic():
            host.enroll(course_key=course, learners=[ref(noprofile)])
            host.enroll(course_key=course, learners=[ref(ada)])
            assert UserProfile.objects.filter(user=ada).exists()
        assert lms.enrollments(course) == {ada.id: True}


def test_an_email_retired_under_an_older_salt_is_retired(lms, host):
    lms.retired_email("old@example.com", salt=0)
    assert host.retired_emails(emails=["Old@Example.com"]) == {"old@example.com"}


def test_each_invitation_email_gets_its_own_parameters(lms, host, course):
    """enroll_email writes the invitee's user_id into the dict it is given; the next email must not carry it."""
    dormant = lms.user("dormant", is_active=False)
    host.invite(course_key=course, emails=["dormant@example.com", "new@example.com"], auto_enroll=True,
                email_learners=True)
    contexts = {message.to[0]: message.user_context for message in mail.outbox}
    assert set(contexts) == {"dormant@example.com", "new@example.com"}
    assert contexts["dormant@example.com"]["user_id"] == dormant.id
    assert "user_id" not in contexts["new@example.com"]
    assert contexts["new@example.com"]["email_address"] == "new@example.com"
    assert contexts["new@example.com"]["message_type"] == "allowed_enroll"


class TestCourseWithoutOverview:
    """The LMS builds a missing CourseOverview from the modulestore (CourseOverview.get_from_id)."""

    def test_is_found_and_its_overview_built(self, lms, host):
        key = lms.course(display_name="Fresh from Studio", overview=False)
        assert not lms.models.CourseOverview.objects.filter(id=key).exists()
        info = host.get_course(course_key=key)
        assert (info.key, info.display_name, info.enrollment_open) == (key, "Fresh from Studio", True)
        assert lms.models.CourseOverview.objects.filter(id=key).exists()

    def test_a_course_in_no_modulestore_is_none(self, lms, host):
        key = lms.course(overview=False)
        from tests.openedx_fakes import modulestore  # pylint: disable=import-outside-toplevel

        modulestore.clear()
        assert host.get_course(course_key=key) is None
