"""Request and response shapes of the invitation and external-id endpoints (for the OpenAPI schema)."""
from rest_framework import serializers

from certexceptions_plugin.invitations.importer import EXTERNAL_ID_MODES, OUTCOMES, REPLACE


class BulkInviteRequestSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    file = serializers.FileField(help_text="CSV with a header row: email (required), name, external_id "
                                           "(or ext_id, student_id, sis_id), in any order.")
    dry_run = serializers.BooleanField(default=False, help_text="Plan and report without writing anything.")
    auto_enroll = serializers.BooleanField(default=True, help_text="Invitees are enrolled when their account is "
                                                                   "activated.")
    email_learners = serializers.BooleanField(default=False, help_text="Send the LMS's invitation / enrolment "
                                                                       "emails.")
    existing_external_ids = serializers.ChoiceField(
        choices=EXTERNAL_ID_MODES, default=REPLACE,
        help_text="replace: a different id in the file replaces the stored one; keep: stored ids stay.")


class InviteRowSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    row = serializers.IntegerField(help_text="1-based line number in the file.")
    email = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    username = serializers.CharField(allow_null=True, help_text="The account with this email, if active.")
    external_id = serializers.CharField(allow_null=True, help_text="The learner's id after the import (or, for a "
                                                                    "failed row, the id in the file).")
    previous_external_id = serializers.CharField(allow_null=True)
    external_id_updated = serializers.BooleanField()
    outcome = serializers.ChoiceField(choices=OUTCOMES)
    reason = serializers.CharField(allow_null=True, help_text="Why a row failed, or external_id_kept.")
    message = serializers.CharField()


class InviteSummarySerializer(serializers.Serializer):  # pylint: disable=abstract-method
    rows = serializers.IntegerField()
    invited = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    existing_invitation = serializers.IntegerField()
    existing_enrollment = serializers.IntegerField()
    external_id_updated = serializers.IntegerField()
    failed = serializers.IntegerField()


class BulkInviteResultSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    dry_run = serializers.BooleanField()
    summary = InviteSummarySerializer()
    rows = InviteRowSerializer(many=True)


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
