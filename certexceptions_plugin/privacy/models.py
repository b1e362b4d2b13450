"""Retirements the plugin could not finish, kept until the retry command finishes them."""
from django.conf import settings
from django.db import models


class UnfinishedRetirement(models.Model):
    """
    A learner the LMS retired whose personal data the plugin could not (yet) forget: why, and who they were, so
    that ``retire_learner_data`` can finish the work even after the LMS has cleaned up its own retirement record.

    .. pii: the learner's original username and email, and their retired forms, until their retirement is finished.
    .. pii_types: username, email_address
    .. pii_retirement: local_api
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    #: Blank when the LMS's retirement record could not be read.
    original_username = models.CharField(max_length=150, blank=True)
    original_email = models.CharField(max_length=254, blank=True)
    retired_username = models.CharField(max_length=150, blank=True)
    retired_email = models.CharField(max_length=254, blank=True)
    #: Why the last attempt did not finish.
    error = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "certexceptions_plugin"

    def __str__(self):
        return f"user {self.user_id}: {self.error}"
