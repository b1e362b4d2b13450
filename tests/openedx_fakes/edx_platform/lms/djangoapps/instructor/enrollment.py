"""Fake of ``lms.djangoapps.instructor.enrollment``: enrolment and invitation by email."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from tests.openedx_fakes.models import DEFAULT_MODE_SLUG, CourseEnrollment, CourseEnrollmentAllowed, is_email_retired

__all__ = ["EmailEnrollmentState", "enroll_email", "get_email_params", "send_mail_to_student"]

User = get_user_model()


class EmailEnrollmentState:
    """Where an email stands in a course: has an account, is enrolled, holds an invitation (and its auto_enroll)."""

    def __init__(self, course_id, email):
        user = User.objects.filter(email=email).first()
        if user is not None:
            mode, is_active = CourseEnrollment.enrollment_mode_for_user(user, course_id)
            invitations = CourseEnrollmentAllowed.for_user(user).filter(course_id=course_id)
        else:
            mode, is_active = None, None
            invitations = CourseEnrollmentAllowed.objects.filter(email=email, course_id=course_id)
        invitation = invitations.first()
        self.user = user is not None
        self.enrollment = bool(is_active)
        self.allowed = invitation is not None
        self.auto_enroll = bool(invitation and invitation.auto_enroll)
        self.mode = mode

    def to_dict(self):
        return {"user": self.user, "enrollment": self.enrollment, "allowed": self.allowed,
                "auto_enroll": self.auto_enroll}


def enroll_email(course_id, student_email, auto_enroll=False, message_students=False, message_params=None,
                 language=None):
    """Enrol the email's active account, or else invite the email (``CourseEnrollmentAllowed``)."""
    previous_state = EmailEnrollmentState(course_id, student_email)
    enrollment_obj = None
    if previous_state.user and User.objects.get(email=student_email).is_active:
        course_mode = previous_state.mode if previous_state.enrollment else DEFAULT_MODE_SLUG
        enrollment_obj = CourseEnrollment.enroll_by_email(student_email, course_id, course_mode)
        if message_students:
            send_mail_to_student(student_email, {**message_params, "message": "enrolled_enroll"}, language=language)
    elif not is_email_retired(student_email):
        invitation, _ = CourseEnrollmentAllowed.objects.get_or_create(course_id=course_id, email=student_email)
        invitation.auto_enroll = auto_enroll
        invitation.save()
        if message_students:
            send_mail_to_student(student_email, {**message_params, "message": "allowed_enroll"}, language=language)
    after_state = EmailEnrollmentState(course_id, student_email)
    return previous_state, after_state, enrollment_obj


def get_email_params(course, auto_enroll, secure=True, course_key=None, display_name=None):
    protocol = "https" if secure else "http"
    course_key = course_key or str(course.id)
    site = getattr(settings, "SITE_NAME", "localhost")
    return {
        "site_name": site,
        "registration_url": f"{protocol}://{site}/register",
        "course": course,
        "display_name": display_name or course.display_name,
        "auto_enroll": auto_enroll,
        "course_url": f"{protocol}://{site}/courses/{course_key}/",
        "course_about_url": f"{protocol}://{site}/courses/{course_key}/about",
        "is_shib_course": False,
        "platform_name": "Open edX",
    }


def send_mail_to_student(student, param_dict, language=None):  # pylint: disable=unused-argument
    """The LMS renders a template and sends through ACE; the fake sends a plain message to Django's mail outbox."""
    mail.send_mail(f"{param_dict['message']}: {param_dict['display_name']}", param_dict["course_url"], None,
                   [student])
