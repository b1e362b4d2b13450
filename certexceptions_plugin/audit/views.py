"""The audit trail of a course."""
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.rest import CourseAPIView, Pagination, error_responses


class AuditEventSerializer(serializers.ModelSerializer):
    course_key = serializers.CharField()
    actor = serializers.CharField(source="actor_username")

    class Meta:
        model = AuditEvent
        fields = ("id", "created", "actor", "course_key", "action", "learner_username", "learner_email",
                  "before", "after")


class AuditEventListView(CourseAPIView, ListAPIView):
    """Changes made through the plugin in one course, newest first."""

    serializer_class = AuditEventSerializer
    pagination_class = Pagination

    def get_queryset(self):
        events = AuditEvent.objects.filter(course_key=self.course.key)
        if action := self.request.query_params.get("action"):
            events = events.filter(action=action)
        if learner := self.request.query_params.get("learner"):
            events = events.filter(Q(learner_username=learner) | Q(learner_email__iexact=learner))
        return events

    @extend_schema(responses={200: AuditEventSerializer(many=True), **error_responses(400, 401, 403, 404)}, parameters=[
        OpenApiParameter("action", OpenApiTypes.STR,
                         description="Only this action, e.g. certificate_exception.granted"),
        OpenApiParameter("learner", OpenApiTypes.STR, description="Only this learner's username or email"),
    ])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
