"""Receivers connected through ``plugin_app['signals_config']``."""


def link_external_id_on_enrollment(sender, signal, enrollment, **kwargs):  # pylint: disable=unused-argument
    """``COURSE_ENROLLMENT_CREATED``: a pending invitation's external id becomes the enrolled learner's."""
    from certexceptions_plugin.invitations.services import (  # pylint: disable=import-outside-toplevel
        link_pending_external_id,
    )

    user = enrollment.user
    link_pending_external_id(course_key=enrollment.course.course_key, user_id=user.id,
                             username=user.pii.username, email=user.pii.email)


def forget_retired_learner(sender, signal, user, **kwargs):  # pylint: disable=unused-argument
    """
    ``USER_RETIRE_LMS_MISC`` and ``USER_RETIRE_LMS_CRITICAL``: forget the learner's personal data. Never raises into
    the LMS's retirement view: a failure is logged with the user id and remembered for ``retire_learner_data``.
    """
    from certexceptions_plugin.privacy import retirement  # pylint: disable=import-outside-toplevel

    retirement.receive(user=user)
