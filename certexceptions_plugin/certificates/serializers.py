"""Request and response shapes of the certificate-exception endpoints (for the OpenAPI schema)."""
from rest_framework import serializers

from certexceptions_plugin.certificates.importer import ACTIONS, OUTCOMES


class BulkExceptionsRequestSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    file = serializers.FileField(help_text="CSV of username_or_email[,notes]; an optional header row.")
    dry_run = serializers.BooleanField(default=False, help_text="Plan and report without writing anything.")
    action = serializers.ChoiceField(choices=ACTIONS, default="grant")


class ExceptionRowSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    row = serializers.IntegerField(help_text="1-based line number in the file.")
    learner = serializers.CharField(help_text="The identifier as given in the file.")
    username = serializers.CharField(allow_null=True)
    email = serializers.CharField(allow_null=True)
    outcome = serializers.ChoiceField(choices=OUTCOMES)
    reason = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    notes = serializers.CharField(allow_blank=True)


class CoreErrorSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    learner = serializers.CharField()
    message = serializers.CharField()
    row = serializers.IntegerField()
    reason = serializers.CharField()


class BulkExceptionsResultSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    dry_run = serializers.BooleanField()
    action = serializers.ChoiceField(choices=ACTIONS)
    summary = serializers.DictField(child=serializers.IntegerField())
    rows = ExceptionRowSerializer(many=True)
    success = serializers.ListField(child=serializers.CharField())
    errors = CoreErrorSerializer(many=True)
