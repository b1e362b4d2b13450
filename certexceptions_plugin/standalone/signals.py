"""
LMS behaviour the stand-in reproduces: a pending invitation with ``auto_enroll`` enrols its person once their
account is active (edx-platform's ``user_post_save_callback``).
"""
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver

from certexceptions_plugin.host.accounts import learner_ref
from certexceptions_plugin.standalone.host import StandaloneHost
from certexceptions_plugin.standalone.models import CourseEnrollmentAllowed


@receiver(post_save, sender=get_user_model(), dispatch_uid="standalone_auto_enroll_on_activation")
def enroll_pending_invitations(sender, instance, **kwargs):  # pylint: disable=unused-argument
    if not instance.is_active or not instance.email:
        return
    course_keys = CourseEnrollmentAllowed.objects.filter(
        email__iexact=instance.email, user__isnull=True, auto_enroll=True
    ).values_list("course_id", flat=True)
    for course_key in list(course_keys):
        StandaloneHost().enroll(course_key=course_key, learners=[learner_ref(instance)])
