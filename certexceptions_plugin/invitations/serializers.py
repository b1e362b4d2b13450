"""Request and response shapes of the external-id endpoints (for the OpenAPI schema)."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from certexceptions_plugin.invitations.models import MAX_EXTERNAL_ID_LENGTH
from certexceptions_plugin.invitations.services import external_id_too_long
from certexceptions_plugin.rest import NO_NUL_PATTERN, ClosedSerializer, StrictCharField


EXTERNAL_ID_STATUSES = ("enrolled", "invited")


class ExternalIdEntrySerializer(serializers.Serializer):  # pylint: disable=abstract-method
    username = serializers.CharField(allow_null=True)
    email = serializers.CharField()
    external_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=EXTERNAL_ID_STATUSES)


@extend_schema_field({"type": "string", "maxLength": MAX_EXTERNAL_ID_LENGTH, "pattern": NO_NUL_PATTERN})
class ExternalIdField(StrictCharField):
    """An external id as sent; a longer one is 400 ``invalid_external_id``, as in an import."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if len(value) > MAX_EXTERNAL_ID_LENGTH:
            raise external_id_too_long()
        return value


class ExternalIdPatchSerializer(ClosedSerializer):  # pylint: disable=abstract-method
    """
    One change, whole although sent with PATCH: both fields are required. As sent: the service strips both, and
    answers 404 ``learner_not_found`` for a blank learner.
    """

    # Never partial, whatever DRF or drf-spectacular (which describes every PATCH body as partial) would set.
    partial = property(lambda self: False, lambda self, value: None)

    learner = StrictCharField(allow_blank=True, trim_whitespace=False,
                              help_text="Username or email of an enrolled learner, or an invited email.")
    external_id = ExternalIdField(allow_null=True, allow_blank=True, trim_whitespace=False,
                                  help_text="The new id; null or blank clears it.")


class ExternalIdPatchResultSerializer(ExternalIdEntrySerializer):  # pylint: disable=abstract-method
    previous_external_id = serializers.CharField(allow_null=True)
    changed = serializers.BooleanField()
