"""Request and response shapes of the external-id endpoints (for the OpenAPI schema)."""
from rest_framework import serializers


EXTERNAL_ID_STATUSES = ("enrolled", "invited")


class ExternalIdEntrySerializer(serializers.Serializer):  # pylint: disable=abstract-method
    username = serializers.CharField(allow_null=True)
    email = serializers.CharField()
    external_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=EXTERNAL_ID_STATUSES)


class ExternalIdPatchSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    learner = serializers.CharField(help_text="Username or email of an enrolled learner, or an invited email.")
    external_id = serializers.CharField(allow_null=True, allow_blank=True, trim_whitespace=True,
                                        help_text="The new id; null or blank clears it.")


class ExternalIdPatchResultSerializer(ExternalIdEntrySerializer):  # pylint: disable=abstract-method
    previous_external_id = serializers.CharField(allow_null=True)
    changed = serializers.BooleanField()
