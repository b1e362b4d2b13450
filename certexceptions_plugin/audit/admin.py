"""The audit trail in the Django admin (read-only)."""
from django.contrib import admin

from certexceptions_plugin.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created", "actor_username", "course_key", "action", "learner_username", "learner_email")
    list_filter = ("action",)
    search_fields = ("course_key", "learner_username", "learner_email", "actor_username")
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
