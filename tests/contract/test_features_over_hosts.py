"""
Join codes and external-id linking, run over every Host implementation, so the features behave the same on the
LMS (the openedx adapter over the fake LMS) as on the standalone host.
"""
import pytest
from django.contrib.auth.models import AnonymousUser

from certexceptions_plugin.bulk.reader import CsvRow
from certexceptions_plugin.host.port import LearnerRef
from certexceptions_plugin.invitations import services as invitations
from certexceptions_plugin.invitations.importer import parse_header
from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.join_codes import services as join_codes
from certexceptions_plugin.errors import PluginError


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
    columns = parse_header(("email", "external_id"))
    result = invitations.import_invitations(course_key=course, actor=staff, columns=columns,
                                            rows=[CsvRow(number=2, cells=("New.Person@school.edu", "S0100"))])
    assert [row.outcome for row in result.rows] == ["invited"]
    assert world.invitations(course) == {"new.person@school.edu": True}

    person = world.user("newperson", email="new.person@school.edu")
    world.make_host().enroll(course_key=course, learners=[
        LearnerRef(id=person.id, username=person.username, email=person.email)])

    record = ExternalId.objects.get(course_key=course, external_id="S0100")
    assert record.user_id == person.id

