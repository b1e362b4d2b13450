"""Background imports."""
import uuid

from django.conf import settings
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField


class BulkOperation(models.Model):
    """
    An import: run in the request (kept for its report) or, too large for one, by a Celery task; ``result``
    holds the response it produced.

    .. no_pii:
    """

    PENDING, RUNNING, SUCCEEDED, FAILED = "pending", "running", "succeeded", "failed"
    STATUSES = [(s, s) for s in (PENDING, RUNNING, SUCCEEDED, FAILED)]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=64)
    course_key = CourseKeyField(max_length=255, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=STATUSES, default=PENDING)
    params = models.JSONField(default=dict)
    file_path = models.CharField(max_length=255)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "certexceptions_plugin"
        ordering = ("-created",)

    def __str__(self):
        return f"{self.kind} {self.course_key} {self.status}"
