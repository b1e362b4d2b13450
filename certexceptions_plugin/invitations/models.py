"""A learner's external id (student number, SIS id) in one course."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from opaque_keys.edx.django.models import CourseKeyField

MAX_EXTERNAL_ID_LENGTH = 100


class ExternalId(models.Model):
    """
    The institution's id for one person in one course: an enrolled learner (``user`` set) or a pending invitation
    (``email`` set, lower-cased, until the person's account is enrolled and the row is linked to it).

    Plain unique indexes (NULLs never collide) keep ids unique per course on SQLite, MariaDB and PostgreSQL alike.
    ``external_id`` is NULL only inside an import's transaction, while ids are being swapped.

    .. pii: a pending invitee's email and the institution's id for the person; deleted when the learner retires.
    .. pii_types: email_address, other
    .. pii_retirement: local_api
    """

    course_key = CourseKeyField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    email = models.CharField(max_length=254, null=True, blank=True)
    external_id = models.CharField(max_length=MAX_EXTERNAL_ID_LENGTH, null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "certexceptions_plugin"
        constraints = [
            models.UniqueConstraint(fields=["course_key", "external_id"], name="certexc_extid_unique_id"),
            models.UniqueConstraint(fields=["course_key", "email"], name="certexc_extid_unique_email"),
            models.UniqueConstraint(fields=["course_key", "user"], name="certexc_extid_unique_user"),
            models.CheckConstraint(
                condition=Q(user__isnull=True, email__isnull=False) | Q(user__isnull=False, email__isnull=True),
                name="certexc_extid_user_xor_email"),
            models.CheckConstraint(condition=~Q(external_id=""), name="certexc_extid_not_blank"),
        ]

    def __str__(self):
        return f"{self.course_key} {self.user_id or self.email}: {self.external_id}"

    @property
    def is_pending(self) -> bool:
        return self.user_id is None
