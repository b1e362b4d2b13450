"""The roster import (invitations and external ids), declared in the bulk engine's vocabulary."""
from rest_framework import serializers

from certexceptions_plugin.bulk.kinds import ImportKind, Option
from certexceptions_plugin.host.port import Permission
from certexceptions_plugin.invitations.importer import (
    CSV_FORMAT,
    EXTERNAL_ID_MODES,
    REPLACE,
    InvitationImporter,
    Outcome,
    Reason,
    parse_header,
)

INVITATIONS = ImportKind(
    name=InvitationImporter.kind,
    permission=Permission.ENROLLMENT,
    csv_format=CSV_FORMAT,
    make_importer=lambda *, header, **params: InvitationImporter(columns=parse_header(header), **params),
    outcomes=Outcome,
    reasons=Reason,
    row_fields={
        "email": serializers.CharField(),
        "name": serializers.CharField(allow_blank=True),
        "username": serializers.CharField(allow_null=True, help_text="The account with this email, if active."),
        "external_id": serializers.CharField(allow_null=True, help_text="The learner's id after the import (or, for "
                                                                         "a failed row, the id in the file)."),
        "previous_external_id": serializers.CharField(allow_null=True),
        "external_id_updated": serializers.BooleanField(help_text="The import set or replaced the stored id."),
    },
    identifier_field="email",
    file_help="CSV with a header row: email (required), name, external_id (or ext_id, student_id, sis_id), in any "
              "order.",
    template={"email": "learner@example.com", "name": "Ada Lovelace", "external_id": "S0001"},
    options=(
        Option("auto_enroll", True, "Invitees are enrolled when their account is activated."),
        Option("email_learners", False, "Send the LMS's invitation / enrolment emails."),
        Option("existing_external_ids", REPLACE, "replace: a different id in the file replaces the stored one; "
                                                 "keep: stored ids stay.", choices=EXTERNAL_ID_MODES),
    ),
    counts=("external_id_updated",),
)
