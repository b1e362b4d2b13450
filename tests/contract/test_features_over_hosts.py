"""
Join codes, imports and external-id linking, run over every Host implementation, so the features behave the same
on the LMS (the openedx adapter over the fake LMS) as on the standalone host.
"""
import csv
import io

import pytest
from django.contrib.auth.models import AnonymousUser

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.bulk.reader import CsvRow
from certexceptions_plugin.bulk import pipeline
from certexceptions_plugin.certificates.imports import CERTIFICATE_EXCEPTIONS
from certexceptions_plugin.host.port import LearnerRef
from certexceptions_plugin.invitations.importer import ENROLLMENT_REASON
from certexceptions_plugin.invitations.imports import INVITATIONS
from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.join_codes import services as join_codes
from certexceptions_plugin.errors import PluginError
from certexceptions_plugin.join_codes.models import JoinCode
from tests.openedx_fakes.models import EnrollmentNotAllowed


def csv_upload(records) -> io.BytesIO:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(records)
    return io.BytesIO(buffer.getvalue().encode())


def import_roster(course, staff, rows):
    """A roster of ``email,external_id`` rows, imported now."""
    return pipeline.run(INVITATIONS, course_key=course, actor=staff, options={},
                        upload=csv_upload([("email", "external_id"), *(row.cells for row in rows)]))


@pytest.fixture
def on_host(world, settings):
    """The world, with the features running over its host."""
    host = world.make_host()
    settings.CERTEXCEPTIONS_HOST = f"{type(host).__module__}.{type(host).__name__}"
    return world


def new_code(course, actor, **changes):
    info, _ = join_codes.create_join_code(course_key=course, actor=actor)
    if changes:
        join_codes.update_join_code(course_key=course, actor=actor, changes=changes)
    return info.code


@pytest.mark.parametrize("case, expected", [
    ("anonymous", "unauthenticated"),
    ("learner", "joinable"),
    ("enrolled", "already_enrolled"),
    ("staff", "course_staff"),
    ("global_staff", "course_staff"),
    ("closed", "enrollment_closed"),
    ("invitation_only", "enrollment_closed"),
    ("other_domain", "domain_mismatch"),
    ("full", "course_full"),
])
def test_every_join_code_status(on_host, case, expected):
    world = on_host
    course = world.course(enrollment_open=case != "closed", invitation_only=case == "invitation_only")
    staff = world.user("staffer")
    world.role(staff, course, "staff")
    learner = world.user("ada", email="ada@school.edu" if case != "other_domain" else "ada@elsewhere.org")
    changes = {"allowed_email_domains": ["school.edu"]}
    if case == "full":
        changes["max_enrollments"] = 1
        join_codes.join(code=new_code(course, staff, **changes), user=world.user("first", email="b@school.edu"))
        code = join_codes.get_join_code(course_key=course).code
    else:
        code = new_code(course, staff, **changes)
    if case == "enrolled":
        world.enroll(learner, course)
    user = {"anonymous": AnonymousUser(), "staff": staff,
            "global_staff": world.user("root", is_staff=True)}.get(case, learner)

    assert join_codes.look_up(code=code, user=user).status == expected


def test_join_enrols_once_through_the_host(on_host):
    world = on_host
    course = world.course()
    staff = world.user("staffer")
    world.role(staff, course, "staff")
    learner = world.user("ada")
    code = new_code(course, staff)

    assert join_codes.join(code=code, user=learner).status == "enrolled"
    assert join_codes.join(code=code, user=learner).status == "already_enrolled"
    assert world.enrollments(course) == {learner.id: True}


def test_refusal_is_403_with_the_status(on_host):
    world = on_host
    course = world.course()
    staff = world.user("staffer")
    world.role(staff, course, "staff")
    code = new_code(course, staff, allowed_email_domains=["school.edu"])
    with pytest.raises(PluginError) as refused:
        join_codes.join(code=code, user=world.user("ada", email="ada@elsewhere.org"))
    assert (refused.value.error_code, refused.value.http_status) == ("domain_mismatch", 403)
    assert world.enrollments(course) == {}


def test_pending_external_id_moves_to_the_learner_when_enrolled(on_host):
    world = on_host
    course = world.course()
    staff = world.user("staffer")
    world.role(staff, course, "staff")
    result = import_roster(course, staff, [CsvRow(number=2, cells=("New.Person@school.edu", "S0100"))])
    assert [row.outcome for row in result.rows] == ["invited"]
    assert world.invitations(course) == {"new.person@school.edu": True}

    person = world.user("newperson", email="new.person@school.edu")
    world.make_host().enroll(course_key=course, learners=[
        LearnerRef(id=person.id, username=person.username, email=person.email)])

    record = ExternalId.objects.get(course_key=course, external_id="S0100")
    assert record.user_id == person.id


# --- what the LMS refuses or fails ----------------------------------------------------------------------------


def staffed_course(world):
    course = world.course()
    staff = world.user("staffer")
    world.role(staff, course, "staff")
    return course, staff


def ids(course):
    """owner (username, or email while pending) -> external id."""
    return {(record.user.username if record.user_id else record.email): record.external_id
            for record in ExternalId.objects.filter(course_key=course).select_related("user")}


def test_invitation_rows_the_lms_fails_fail_alone_and_leave_nothing_written(on_host):
    world = on_host
    course, staff = staffed_course(world)
    newcomer, fine = world.user("newcomer"), world.user("fine")
    ExternalId.objects.create(course_key=course, email="newcomer@example.com", external_id="P1")
    world.fail_write("enroll", newcomer, EnrollmentNotAllowed("Not for your organisation."))
    world.fail_write("invite", "broken@example.com", RuntimeError("mail service down"))
    rows = [("newcomer@example.com", "N5"),   # 2: enrolment refused; would give up P1
            ("claimer@example.com", "P1"),    # 3: invited, but P1 stays with row 2
            ("broken@example.com", "B1"),     # 4: invitation fails
            ("ok@example.com", "O1"),         # 5
            ("fine@example.com", "F1")]       # 6
    result = import_roster(course, staff, [CsvRow(number=n, cells=cells) for n, cells in enumerate(rows, start=2)])

    by_row = {row.row: row for row in result.rows}
    assert {n: (row.outcome, row.reason) for n, row in by_row.items()} == {
        2: ("failed", "lms_error"), 3: ("invited", "external_id_taken"), 4: ("failed", "lms_error"),
        5: ("invited", None), 6: ("enrolled", None)}
    assert by_row[2].message == ("The LMS could not enrol this learner: EnrollmentNotAllowed: Not for your "
                                 "organisation.")
    assert by_row[4].message == "The LMS could not invite this email: RuntimeError: mail service down"
    assert by_row[3].message == ("Invited; enrolled once their account is activated. The external id P1 was not "
                                 "set: it stays with row 2, because the LMS could not write row 2.")
    assert (by_row[3].fields["external_id"], by_row[3].fields["external_id_updated"]) == (None, False)

    assert world.enrollments(course) == {fine.id: True}
    assert world.invitations(course) == {"claimer@example.com": True, "ok@example.com": True}
    assert ids(course) == {"newcomer@example.com": "P1", "ok@example.com": "O1", "fine": "F1"}
    assert sorted((event.action, event.learner_email) for event in AuditEvent.objects.all()) == [
        ("external_id.set", "fine@example.com"), ("external_id.set", "ok@example.com"),
        ("invitation.enrolled", "fine@example.com"), ("invitation.invited", "claimer@example.com"),
        ("invitation.invited", "ok@example.com"),
    ]
    assert world.manual_enrollment_audits() == sorted([
        (staff.id, "fine@example.com", "from unenrolled to enrolled", ENROLLMENT_REASON, fine.id),
        (staff.id, "claimer@example.com", "from unenrolled to allowed to enroll", ENROLLMENT_REASON, None),
        (staff.id, "ok@example.com", "from unenrolled to allowed to enroll", ENROLLMENT_REASON, None),
    ])


def test_certificate_rows_the_lms_fails_fail_alone(on_host):
    world = on_host
    course = world.course()
    instructor = world.user("teacher")
    world.role(instructor, course, "instructor")
    ada, bob = world.user("ada"), world.user("bob")
    for learner in (ada, bob):
        world.enroll(learner, course)
    world.fail_write("grant_certificate_exceptions", bob, RuntimeError("certificate generation failed"))
    result = pipeline.run(CERTIFICATE_EXCEPTIONS, course_key=course, actor=instructor, options={},
                          upload=csv_upload([("ada", "a"), ("BOB", "b")]))
    assert [(row.outcome, row.reason, row.message) for row in result.rows] == [
        ("granted", None, "Certificate exception granted."),
        ("failed", "lms_error", "The LMS could not grant the certificate exception: RuntimeError: certificate "
                                "generation failed"),
    ]
    assert world.allowlist_rows(course) == {ada.id: (True, "a")}
    assert list(AuditEvent.objects.values_list("learner_username", flat=True)) == ["ada"]


def test_a_retired_email_is_not_invited(on_host):
    world = on_host
    course, staff = staffed_course(world)
    world.retired_email("gone@example.com")
    result = import_roster(course, staff, [CsvRow(number=2, cells=("Gone@Example.com", "G1")),
                                           CsvRow(number=3, cells=("new@example.com", ""))])
    assert [(row.outcome, row.reason) for row in result.rows] == [("failed", "email_retired"), ("invited", None)]
    assert result.rows[0].message == ("The email Gone@Example.com belonged to an account that has been retired; "
                                      "the LMS does not invite it.")
    assert world.invitations(course) == {"new@example.com": True}
    assert ids(course) == {}


def test_a_retired_email_gives_up_no_id(on_host):
    """Its row fails, so the id its pending invitation holds is not free for another row."""
    world = on_host
    course, staff = staffed_course(world)
    ExternalId.objects.create(course_key=course, email="gone@example.com", external_id="G1")
    world.retired_email("gone@example.com")
    result = import_roster(course, staff, [CsvRow(number=2, cells=("gone@example.com", "G2")),
                                           CsvRow(number=3, cells=("new@example.com", "G1"))])
    assert [(row.outcome, row.reason) for row in result.rows] == [("failed", "email_retired"),
                                                                  ("failed", "external_id_taken")]
    assert result.rows[1].message == "The external id G1 already belongs to gone@example.com in this course."
    assert ids(course) == {"gone@example.com": "G1"}


def test_a_join_the_lms_refuses_enrols_nobody_and_counts_nothing(on_host):
    world = on_host
    course, staff = staffed_course(world)
    learner = world.user("ada")
    code = new_code(course, staff)
    world.fail_write("enroll", learner, EnrollmentNotAllowed("Not for your organisation."))
    with pytest.raises(PluginError) as refused:
        join_codes.join(code=code, user=learner)
    assert (refused.value.error_code, refused.value.http_status) == ("lms_error", 403)
    assert "EnrollmentNotAllowed: Not for your organisation." in refused.value.message
    assert world.enrollments(course) == {}
    assert JoinCode.objects.get(code=code).join_count == 0
