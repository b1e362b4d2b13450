"""An external id kept for an invited email moves to the learner when they enrol in that course."""
import pytest

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.host.accounts import learner_ref
from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.standalone.host import StandaloneHost
from tests.factories import CourseFactory, UserFactory
from tests.invitations import enrolled, give, ids, rows_by_number, uploader

# As in every roster test: a course with its course staff, and learner1..learner5 enrolled.
pytestmark = pytest.mark.usefixtures("course_staff", "enrolled_learners")


@pytest.fixture
def upload(course_staff_client, course):
    return uploader(course_staff_client, course)


class TestLinkingOnEnrollment:

    def test_activation_auto_enrols_and_links_the_pending_id(self, upload, course):
        upload("email,external_id\nNew.Person@example.com,N1\n")
        assert ids(course.id) == {"new.person@example.com": "N1"}
        user = UserFactory(username="newperson", email="New.Person@example.com", is_active=False)
        assert ids(course.id) == {"new.person@example.com": "N1"}  # not enrolled yet
        user.is_active = True
        user.save()  # the standalone host auto-enrols on activation and emits COURSE_ENROLLMENT_CREATED
        assert "newperson" in enrolled(course.id)
        record = ExternalId.objects.get()
        assert (record.user, record.email, record.external_id) == (user, None, "N1")
        event = AuditEvent.objects.get(action="external_id.linked")
        assert (event.actor_username, event.learner_username, event.after) == (
            "system", "newperson", {"external_id": "N1"})

    def test_enrolment_links_only_this_course(self, course):
        other = CourseFactory()
        give(course.id, "N1", email="new@example.com")
        give(other.id, "O1", email="new@example.com")
        user = UserFactory(username="newperson", email="new@example.com")
        StandaloneHost().enroll(course_key=course.id, learners=[learner_ref(user)])
        assert ids(course.id) == {"newperson": "N1"} and ids(other.id) == {"new@example.com": "O1"}

    def test_enrolment_keeps_an_existing_linked_id(self, course):
        user = UserFactory(username="newperson", email="new@example.com")
        give(course.id, "L1", user=user)
        give(course.id, "N1", email="new@example.com")
        StandaloneHost().enroll(course_key=course.id, learners=[learner_ref(user)])
        assert ids(course.id) == {"newperson": "L1", "new@example.com": "N1"}

    def test_reupload_after_account_creation_enrols_and_links(self, upload, course):
        upload("email,external_id\nnew@example.com,N1\n", auto_enroll="false")
        UserFactory(username="newperson", email="new@example.com")  # no auto-enrolment on activation
        assert ids(course.id) == {"new@example.com": "N1"}
        rows = rows_by_number(upload("email,external_id\nnew@example.com,\n"))
        assert rows[2]["outcome"] == "enrolled" and rows[2]["external_id"] == "N1"
        assert ids(course.id) == {"newperson": "N1"} and "newperson" in enrolled(course.id)
