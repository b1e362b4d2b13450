"""The audit trail."""
from django.conf import settings
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField


class AuditEvent(models.Model):
    """
    One change made through the plugin.

    .. pii: actor's and learner's usernames and emails, notes, external ids; retired names replace them at retirement.
    .. pii_types: username, email_address, other
    .. pii_retirement: local_api
    """

    created = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    # Events are read a course at a time, newest first (the index below), or by the person they name.
    course_key = CourseKeyField(max_length=255)
    action = models.CharField(max_length=64)
    learner_username = models.CharField(max_length=150, blank=True, db_index=True)
    learner_email = models.CharField(max_length=254, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        app_label = "certexceptions_plugin"
        ordering = ("-created", "-id")
        indexes = [models.Index(fields=["course_key", "-created"])]

    def __str__(self):
        learner = self.learner_username or self.learner_email
        return f"{self.created:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {learner}"
