"""
Fake of ``lms.djangoapps.instructor.enrollment``: enrolment and invitation by email.

As the LMS's (lms/djangoapps/instructor/enrollment.py): ``EmailEnrollmentState`` looks the account up with
``User.objects.get(email=...)`` (two accounts sharing the email raise ``MultipleObjectsReturned``) and reads
``user.profile.name``; ``enroll_email`` and ``send_mail_to_student`` write into the ``message_params`` dict they
are given (``email_address``, ``user_id``, ``full_name``, ``message_type``...), so a caller reusing one dict for
several emails sends each the keys left by the previous one.
"""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from tests.openedx_fakes import faults
from tests.openedx_fakes.models import CourseEnrollment, CourseEnrollmentAllowed, is_email_retired

__all__ = ["EmailEnrollmentState", "enroll_email", "get_email_params", "send_mail_to_student"]

User = get_user_model()


class EmailEnrollmentState:
    """Where an email stands in a course: has an account, is enrolled, holds an invitation (and its auto_enroll)."""

    def __init__(self, course_id, email):
        try:
            user = User.objects.get(email=email)
        except User.DoesNotExist:
            user = None
        if user is not None:
            mode, is_active = CourseEnrollment.enrollment_mode_for_user(user, course_id)
            full_name = user.profile.name
            invitations = CourseEnrollmentAllowed.for_user(user).filter(course_id=course_id)
        else:
            mode, is_active, full_name = None, None, None
            invitations = CourseEnrollmentAllowed.objects.filter(email=email, course_id=course_id)
        invitation = invitations.first()
        self.user = user
        self.enrollment = bool(is_active)
        self.allowed = invitation is not None
        self.auto_enroll = bool(invitation and invitation.auto_enroll)
        self.full_name = full_name
        self.mode = mode

    def to_dict(self):
        return {"user": bool(self.user), "enrollment": self.enrollment, "allowed": self.allowed,
                "auto_enroll": self.auto_enroll}


def enroll_email(course_id, student_email, auto_enroll=False, message_students=False, message_params=None,
                 language=None):
    """Enrol the email's active account, or else invite the email (``CourseEnrollmentAllowed``)."""
    previous_state = EmailEnrollmentState(course_id, student_email)
    enrollment_obj = None
    if message_params:
        message_params.update({"app_label": "instructor", "push_notification_extra_context": {
            "notification_type": "enroll", "course_id": str(course_id)}})
    else:
        message_params = {}
    if previous_state.user and previous_state.user.is_active:
        course_mode = previous_state.mode if previous_state.enrollment else None
        enrollment_obj = CourseEnrollment.enroll_by_email(student_email, course_id, course_mode)
        if message_students:
            message_params.update(message_type="enrolled_enroll", email_address=student_email,
                                  user_id=previous_state.user.id, full_name=previous_state.full_name)
            send_mail_to_student(student_email, message_params, language=language)
    elif not is_email_retired(student_email):
        invitation, _ = CourseEnrollmentAllowed.objects.get_or_create(course_id=course_id, email=student_email)
        invitation.auto_enroll = auto_enroll
        invitation.save()
        faults.check("enroll_email", student_email.lower())
        if message_students:
            message_params.update(message_type="allowed_enroll", email_address=student_email)
            if previous_state.user:
                message_params["user_id"] = previous_state.user.id
            send_mail_to_student(student_email, message_params, language=language)
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
        "display_name": display_name or course.display_name_with_default,
        "auto_enroll": auto_enroll,
        "course_url": f"{protocol}://{site}/courses/{course_key}/",
        "course_about_url": f"{protocol}://{site}/courses/{course_key}/about",
        "is_shib_course": False,
        "platform_name": "Open edX",
    }


def send_mail_to_student(student, param_dict, language=None):  # pylint: disable=unused-argument
    """
    The LMS personalises an ACE message with ``param_dict`` as its context and sends it; the fake sends a plain
    message to Django's mail outbox, carrying a copy of that context as ``user_context``.
    """
    if "display_name" in param_dict:
        param_dict["course_name"] = param_dict["display_name"]
    message = mail.EmailMessage(f"{param_dict['message_type']}: {param_dict['course_name']}",
                                param_dict["course_url"], None, [student])
    message.user_context = dict(param_dict)
    message.send()
