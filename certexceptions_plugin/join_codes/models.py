"""The join code of a course."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from opaque_keys.edx.django.models import CourseKeyField


class JoinCode(models.Model):
    """
    The one join code of a course: learners who type it enrol themselves.

    .. no_pii:
    """

    course_key = CourseKeyField(max_length=255, unique=True)
    code = models.CharField(max_length=9, unique=True)
    is_active = models.BooleanField(default=True)
    #: Lower-cased email domains (``example.edu``) a joining learner's email must end with; empty = any.
    allowed_email_domains = models.JSONField(default=list, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    #: Most enrolments made through the code (across regenerations); ``None`` = no limit.
    max_enrollments = models.PositiveIntegerField(null=True, blank=True)
    join_count = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    regenerated_at = models.DateTimeField(null=True, blank=True)
    regenerated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "certexceptions_plugin"

    def __str__(self):
        return f"{self.code} ({self.course_key})"

    @property
    def is_usable(self) -> bool:
        """Active and not expired: the code can be looked up at all."""
        return self.is_active and (self.expires_at is None or self.expires_at > timezone.now())

    @property
    def is_full(self) -> bool:
        return self.max_enrollments is not None and self.join_count >= self.max_enrollments
