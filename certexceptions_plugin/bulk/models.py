"""Imports and the rows they produced."""
import uuid

from django.conf import settings
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField


class BulkOperation(models.Model):
    """
    An import: run in the request (kept for its report) or, too large for one, by a Celery task. ``summary`` holds
    its counts once it has succeeded; its rows are :class:`BulkOperationRow` rows, stored as they are produced.

    .. pii: its stored upload (``file_path``, until the import succeeds) lists learners' usernames, emails, names, ids.
    .. pii_types: username, email_address, name, other
    .. pii_retirement: local_api
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
    summary = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    #: Also moved on by every progress report, so an operation whose worker died can be told apart.
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "certexceptions_plugin"
        ordering = ("-created",)
        indexes = [models.Index(fields=["course_key", "-created"], name="certexc_operation_course")]

    def __str__(self):
        return f"{self.kind} {self.course_key} {self.status}"

    @property
    def dry_run(self) -> bool:
        return bool(self.params.get("dry_run"))


class BulkOperationRow(models.Model):
    """
    One row's result: its line number, outcome, reason and message, and the kind's own fields.

    .. pii: the kind's fields name the row's person: username, email, name, external ids, notes; scrubbed at retirement.
    .. pii_types: username, email_address, name, other
    .. pii_retirement: local_api
    """

    # The unique (operation, row) index serves the foreign key too.
    operation = models.ForeignKey(BulkOperation, on_delete=models.CASCADE, related_name="rows", db_index=False)
    row = models.PositiveIntegerField()
    outcome = models.CharField(max_length=32)
    reason = models.CharField(max_length=64, null=True, blank=True)
    message = models.TextField(blank=True)
    fields = models.JSONField(default=dict)

    class Meta:
        app_label = "certexceptions_plugin"
        ordering = ("operation", "row")
        constraints = [models.UniqueConstraint(fields=["operation", "row"], name="certexc_operation_row_unique")]
        indexes = [models.Index(fields=["operation", "outcome", "row"], name="certexc_operation_outcome"),
                   models.Index(fields=["operation", "reason", "row"], name="certexc_operation_reason")]

    def as_dict(self) -> dict:
        return {"row": self.row, **self.fields, "outcome": self.outcome, "reason": self.reason,
                "message": self.message}
