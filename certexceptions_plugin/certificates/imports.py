"""The certificate-exception import, declared in the bulk engine's vocabulary."""
from rest_framework import serializers

from certexceptions_plugin.bulk.kinds import ImportKind, Option
from certexceptions_plugin.certificates.importer import (
    ACTIONS,
    CSV_FORMAT,
    GRANT,
    CertificateExceptionImporter,
    Outcome,
    Reason,
)
from certexceptions_plugin.host.port import Permission


def _core_keys(result, options) -> dict:
    """Core v2's ``success`` / ``errors`` keys beside ours, so a front end written for core reads our answer."""
    return {
        "action": options["action"],
        "success": [row.fields["learner"] for row in result.rows if not row.failed],
        "errors": [{"learner": row.fields["learner"], "message": row.message, "row": row.row, "reason": row.reason}
                   for row in result.failures],
    }


class CoreErrorSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    learner = serializers.CharField()
    message = serializers.CharField()
    row = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=Reason.choices())


CERTIFICATE_EXCEPTIONS = ImportKind(
    name=CertificateExceptionImporter.kind,
    permission=Permission.CERTIFICATES,
    csv_format=CSV_FORMAT,
    make_importer=lambda *, header, **params: CertificateExceptionImporter(**params),
    outcomes=Outcome,
    reasons=Reason,
    row_fields={
        "learner": serializers.CharField(help_text="The username or email as given in the file."),
        "username": serializers.CharField(allow_null=True),
        "email": serializers.CharField(allow_null=True),
        "notes": serializers.CharField(allow_blank=True),
    },
    identifier_field="learner",
    file_help="CSV of username_or_email[,notes]; an optional header row.",
    template={"username_or_email": "learner@example.com", "notes": "Approved by the course team"},
    options=(Option("action", GRANT, "Grant or remove the exceptions.", choices=ACTIONS,
                    error_code="invalid_action"),),
    extend_payload=_core_keys,
    payload_fields={
        "action": serializers.ChoiceField(choices=ACTIONS),
        "success": serializers.ListField(child=serializers.CharField(), help_text="As core v2: learners written."),
        "errors": CoreErrorSerializer(many=True, help_text="As core v2: learners not written, and why."),
    },
)
