"""
The Host contract: every test runs against every Host implementation (the ``world`` fixture), each over its own
tables, so the standalone host and the openedx adapter cannot behave differently where the port says what to do.
"""
import pytest
from django.contrib.auth.models import AnonymousUser
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED
from opaque_keys.edx.keys import CourseKey

from django.dispatch import Signal

from certexceptions_plugin.host.port import RETIREMENT_SIGNALS, Host, LearnerRef, Permission, Retirement

OTHER_COURSE = "course-v1:ContractX+OTHER+2026"


def ref(user):
    return LearnerRef(id=user.id, username=user.username, email=user.email, is_active=user.is_active)


@pytest.fixture
def course(world):
    return world.course()


def test_implements_the_protocol(host):
    assert isinstance(host, Host)


# --- people ---------------------------------------------------------------------------------------------------

class TestResolveLearners:

    def test_by_username_and_by_email_in_any_case(self, world, host):
        # As the LMS's MySQL collation compares them: LEARNER1 finds learner1 (on every database).
        ada = world.user("ada", email="Ada.Lovelace@Example.com")
        bob = world.user("Bob.Smith")
        result = host.resolve_learners(identifiers=["ada", "ada.lovelace@example.COM", "ADA", "bob.smith"])
        assert result == {"ada": (ref(ada),), "ada.lovelace@example.COM": (ref(ada),), "ADA": (ref(ada),),
                          "bob.smith": (ref(bob),)}

    def test_non_ascii_email_as_spelled(self, world, host):
        jurgen = world.user("jurgen", email="Jürgen.Über@example.com")
        assert host.resolve_learners(identifiers=["Jürgen.Über@example.com"]) == {
            "Jürgen.Über@example.com": (ref(jurgen),)}
        assert host.learners_by_email(emails=["Jürgen.Über@example.com"]) == {"jürgen.über@example.com": ref(jurgen)}

    def test_unknown_identifier_maps_to_nothing(self, world, host):
        world.user("ada")
        assert host.resolve_learners(identifiers=["nobody", "nobody@example.com"]) == {
            "nobody": (), "nobody@example.com": (),
        }

    def test_username_of_one_and_email_of_another_is_ambiguous(self, world, host):
        # A username may look like an email: "bob@example.com" is carol's username and bob's email.
        bob = world.user("bob", email="bob@example.com")
        carol = world.user("bob@example.com", email="carol@example.com")
        matches = host.resolve_learners(identifiers=["bob@example.com"])["bob@example.com"]
        assert sorted(matches, key=lambda learner: learner.id) == sorted([ref(bob), ref(carol)],
                                                                         key=lambda learner: learner.id)

    def test_retired_accounts_are_not_found(self, world, host):
        ada = world.user("ada")
        world.retire(ada)
        assert host.resolve_learners(identifiers=["ada", "ada@example.com"]) == {"ada": (), "ada@example.com": ()}

    def test_inactive_accounts_are_found_and_say_so(self, world, host):
        ada = world.user("ada", is_active=False)
        (learner,) = host.resolve_learners(identifiers=["ada"])["ada"]
        assert learner == LearnerRef(id=ada.id, username="ada", email="ada@example.com", is_active=False)

    def test_query_count_does_not_grow_with_identifiers(self, world, host, django_assert_max_num_queries):
        for n in range(30):
            world.user(f"learner{n}")
        with django_assert_max_num_queries(2):
            result = host.resolve_learners(identifiers=[f"LEARNER{n}" for n in range(30)])
        assert all(len(result[f"LEARNER{n}"]) == 1 for n in range(30))


def test_learners_by_email_keys_lower_cased_and_includes_inactive(world, host):
    ada = world.user("ada", email="Ada@Example.com")
    bob = world.user("bob", is_active=False)
    assert host.learners_by_email(emails=["ADA@example.com", "bob@example.com", "nobody@example.com"]) == {
        "ada@example.com": ref(ada), "bob@example.com": ref(bob),
    }


class TestRetirements:

    def test_by_user_id_or_by_original_or_retired_username_in_any_case(self, world, host):
        ada, bob = world.user("Ada", email="Ada@Example.com"), world.user("bob")
        world.request_retirement(ada, retired_username="retired__user_a", retired_email="retired_a@retired.invalid")
        world.request_retirement(bob, retired_username="retired__user_b", retired_email="retired_b@retired.invalid")
        ada_retirement = Retirement(user_id=ada.id, original_username="Ada", original_email="Ada@Example.com",
                                    retired_username="retired__user_a", retired_email="retired_a@retired.invalid")
        assert host.retirements(user_ids=[ada.id]) == {ada.id: ada_retirement}
        assert host.retirements(usernames=["ADA"]) == {ada.id: ada_retirement}
        assert host.retirements(usernames=["Retired__User_A"]) == {ada.id: ada_retirement}
        assert set(host.retirements(user_ids=[ada.id], usernames=["bob"])) == {ada.id, bob.id}

    def test_accounts_not_being_retired_are_left_out(self, world, host):
        ada = world.user("ada")
        world.retire(world.user("bob"))  # a retirement request alone: no status, as never in the LMS
        assert host.retirements(user_ids=[ada.id], usernames=["ada", "bob", "nobody"]) == {}

    def test_nothing_asked_nothing_found(self, world, host):
        world.request_retirement(world.user("ada"))
        assert host.retirements() == {}

    def test_retirement_signals_are_distinct_django_signals(self, host):
        signals = [host.retirement_signal(name=name) for name in RETIREMENT_SIGNALS]
        assert all(isinstance(signal, Signal) for signal in signals)
        assert signals[0] is not signals[1]
        assert host.retirement_signal(name=RETIREMENT_SIGNALS[0]) is signals[0]


# --- courses and permissions ----------------------------------------------------------------------------------

class TestGetCourse:

    def test_known_course(self, world, host):
        key = world.course(display_name="Contracts 101", org="ContractX", invitation_only=True)
        info = host.get_course(course_key=key)
        assert (info.key, info.display_name, info.org, info.enrollment_open, info.invitation_only) == (
            key, "Contracts 101", "ContractX", True, True,
        )

    def test_enrollment_closed(self, world, host):
        key = world.course(enrollment_open=False)
        assert host.get_course(course_key=key).enrollment_open is False

    def test_unknown_course_is_none(self, world, host):
        world.course()
        assert host.get_course(course_key=CourseKey.from_string("course-v1:ContractX+NOPE+2026")) is None


def test_course_home_url_names_the_course(world, host, course):
    url = host.course_home_url(course_key=course)
    assert url and str(course) in url


PERMISSION_MATRIX = [
    # who, CERTIFICATES, ENROLLMENT
    ("anonymous", False, False),
    ("learner", False, False),
    ("course_staff", False, True),
    ("instructor", True, True),
    ("global_staff", True, True),
    ("other_course_instructor", False, False),
    ("inactive_instructor", False, False),
]


@pytest.mark.parametrize("who, certificates, enrollment", PERMISSION_MATRIX)
def test_has_permission(world, host, course, who, certificates, enrollment):
    other = world.course(OTHER_COURSE)
    if who == "anonymous":
        user = AnonymousUser()
    else:
        user = world.user(who, is_staff=who == "global_staff", is_active=who != "inactive_instructor")
        world.enroll(user, course)
        role = {"course_staff": (course, "staff"), "instructor": (course, "instructor"),
                "inactive_instructor": (course, "instructor"), "other_course_instructor": (other, "instructor")}
        if who in role:
            world.role(user, *role[who])
    assert host.has_permission(user=user, course_key=course, permission=Permission.CERTIFICATES) is certificates
    assert host.has_permission(user=user, course_key=course, permission=Permission.ENROLLMENT) is enrollment


# --- enrolments and invitations -------------------------------------------------------------------------------

def test_active_enrollments_leave_out_inactive_and_other_courses(world, host, course):
    active, inactive, elsewhere, never = (world.user(name) for name in ("active", "inactive", "elsewhere", "never"))
    world.enroll(active, course)
    world.enroll(inactive, course, is_active=False)
    world.enroll(elsewhere, world.course(OTHER_COURSE))
    ids = [active.id, inactive.id, elsewhere.id, never.id]
    assert host.active_enrollments(course_key=course, user_ids=ids) == {active.id}


class TestEnroll:

    @pytest.fixture
    def events(self):
        received = []

        def receiver(sender, signal, **kwargs):  # pylint: disable=unused-argument
            received.append(kwargs["enrollment"])

        COURSE_ENROLLMENT_CREATED.connect(receiver)
        yield received
        COURSE_ENROLLMENT_CREATED.disconnect(receiver)

    def test_creates_and_reactivates_and_emits_once_per_learner(self, world, host, course, events):
        new, returning = world.user("new"), world.user("returning")
        world.enroll(returning, course, is_active=False)
        host.enroll(course_key=course, learners=[ref(new), ref(returning)])
        assert world.enrollments(course) == {new.id: True, returning.id: True}
        assert sorted((e.user.id, e.user.pii.username, e.course.course_key, e.is_active) for e in events) == sorted([
            (new.id, "new", course, True), (returning.id, "returning", course, True),
        ])

    def test_enrolment_uses_up_the_pending_invitation(self, world, host, course, events):
        ada = world.user("ada")
        world.invitation("ada@example.com", course, auto_enroll=True)
        assert host.pending_invitations(course_key=course, emails=["ada@example.com"]) == {"ada@example.com"}
        host.enroll(course_key=course, learners=[ref(ada)])
        assert host.pending_invitations(course_key=course, emails=["ada@example.com"]) == set()
        assert len(events) == 1


class TestManualEnrollmentAudit:
    """Enrolments and invitations made by staff write the LMS's ManualEnrollmentAudit, as core's views do."""

    def test_enrolment_records_who_the_transition_and_why(self, world, host, course):
        staff, new, invited, enrolled = (world.user(name) for name in ("staff", "new", "invited", "enrolled"))
        world.invitation("Invited@Example.com", course)
        world.enroll(enrolled, course)
        assert host.enroll(course_key=course, learners=[ref(new), ref(invited), ref(enrolled)], actor=staff,
                           reason="bulk test") == {}
        assert world.manual_enrollment_audits() == sorted([
            (staff.id, "new@example.com", "from unenrolled to enrolled", "bulk test", new.id),
            (staff.id, "invited@example.com", "from allowed to enroll to enrolled", "bulk test", invited.id),
            (staff.id, "enrolled@example.com", "from enrolled to enrolled", "bulk test", enrolled.id),
        ])

    def test_a_learner_enrolling_themselves_is_no_manual_enrolment(self, world, host, course):
        host.enroll(course_key=course, learners=[ref(world.user("ada"))])
        assert world.manual_enrollment_audits() == []

    def test_invitation(self, world, host, course):
        staff = world.user("staff")
        world.user("dormant", is_active=False)
        assert host.invite(course_key=course, emails=["new@example.com", "dormant@example.com"], auto_enroll=True,
                           email_learners=False, actor=staff, reason="bulk test") == {}
        assert world.manual_enrollment_audits() == sorted([
            (staff.id, "new@example.com", "from unenrolled to allowed to enroll", "bulk test", None),
            # An email with an account that is not active yet: core's views record no transition for it.
            (staff.id, "dormant@example.com", "N/A", "bulk test", None),
        ])


class TestRetiredEmails:

    def test_in_any_case(self, world, host):
        world.retired_email("Gone@Example.com")
        world.user("here")
        assert host.retired_emails(emails=["gone@example.com", "GONE@example.com", "here@example.com",
                                           "new@example.com"]) == {"gone@example.com"}

    def test_one_query(self, world, host, django_assert_num_queries):
        for n in range(20):
            world.retired_email(f"gone{n}@example.com")
        with django_assert_num_queries(1):
            retired = host.retired_emails(emails=[f"gone{n}@example.com" for n in range(40)])
        assert retired == {f"gone{n}@example.com" for n in range(20)}


class TestInvitations:

    def test_invite_then_pending_in_any_case(self, world, host, course):
        host.invite(course_key=course, emails=["Ada@Example.com", "bob@example.com"], auto_enroll=True,
                    email_learners=False)
        assert host.pending_invitations(course_key=course, emails=["ADA@example.com", "carol@example.com"]) == {
            "ada@example.com",
        }
        assert world.invitations(course) == {"ada@example.com": True, "bob@example.com": True}

    def test_invite_is_idempotent_whatever_the_case_and_stores_the_latest_auto_enroll(self, world, host, course):
        host.invite(course_key=course, emails=["Ada@Example.com"], auto_enroll=True, email_learners=False)
        host.invite(course_key=course, emails=["ada@example.com", "ADA@EXAMPLE.COM"], auto_enroll=False,
                    email_learners=False)
        assert world.invitations(course) == {"ada@example.com": False}
        assert host.pending_invitations(course_key=course, emails=["ada@example.com"]) == {"ada@example.com"}

    def test_inactive_account_gets_an_invitation_not_an_enrolment(self, world, host, course):
        dormant = world.user("dormant", is_active=False)
        host.invite(course_key=course, emails=["dormant@example.com"], auto_enroll=True, email_learners=False)
        assert world.invitations(course) == {"dormant@example.com": True}
        assert host.active_enrollments(course_key=course, user_ids=[dormant.id]) == set()

    def test_used_invitations_and_other_courses_are_not_pending(self, world, host, course):
        ada = world.user("ada")
        world.invitation("ada@example.com", course, user=ada)
        world.invitation("bob@example.com", world.course(OTHER_COURSE))
        assert host.pending_invitations(course_key=course, emails=["ada@example.com", "bob@example.com"]) == set()


# --- certificates ---------------------------------------------------------------------------------------------

class TestCertificates:

    @pytest.fixture
    def people(self, world, course):
        return [world.user(name) for name in ("ada", "bob", "carol", "dan")]

    def test_allowlist_entries_leave_out_disabled_entries_and_blank_none_notes(self, world, host, course, people):
        ada, bob, carol, dan = people
        world.allowlist(ada, course, notes="Medical leave")
        world.allowlist(bob, course, notes=None)
        world.allowlist(carol, course, notes="disabled", enabled=False)
        world.allowlist(dan, world.course(OTHER_COURSE))
        assert host.allowlist_entries(course_key=course, user_ids=[u.id for u in people]) == {
            ada.id: "Medical leave", bob.id: "",
        }

    def test_active_invalidations(self, world, host, course, people):
        ada, bob, carol, dan = people
        world.invalidation(ada, course, by=dan)
        world.invalidation(bob, course, by=dan, active=False)
        world.invalidation(carol, world.course(OTHER_COURSE), by=dan)
        assert host.active_invalidations(course_key=course, user_ids=[u.id for u in people]) == {ada.id}

    def test_grant_creates_updates_and_reenables(self, world, host, course, people):
        ada, bob, carol, dan = people
        world.allowlist(bob, course, notes="old")
        world.allowlist(carol, course, notes="was disabled", enabled=False)
        host.grant_certificate_exceptions(course_key=course, learners=[ref(ada), ref(bob), ref(carol)],
                                          notes={ada.id: "new", bob.id: "updated"})
        assert world.allowlist_rows(course) == {
            ada.id: (True, "new"), bob.id: (True, "updated"), carol.id: (True, ""),
        }
        assert host.allowlist_entries(course_key=course, user_ids=[u.id for u in people]) == {
            ada.id: "new", bob.id: "updated", carol.id: "",
        }
        assert dan.id not in world.allowlist_rows(course)

    def test_remove(self, world, host, course, people):
        ada, bob, carol, _ = people
        other = world.course(OTHER_COURSE)
        world.allowlist(ada, course)
        world.allowlist(bob, course)
        world.allowlist(ada, other)
        host.remove_certificate_exceptions(course_key=course, learners=[ref(ada), ref(carol)])
        assert set(world.allowlist_rows(course)) == {bob.id}
        assert set(world.allowlist_rows(other)) == {ada.id}
