"""``manage.py bulk_invite COURSE_ID FILE --actor USERNAME [--dry-run] [--json] ...``: a roster, from a shell."""
from certexceptions_plugin import api
from certexceptions_plugin.invitations.importer import EXTERNAL_ID_MODES, REPLACE
from certexceptions_plugin.invitations.imports import INVITATIONS
from certexceptions_plugin.management.import_command import ImportCommand


class Command(ImportCommand):
    help = ("Invite or enrol every person of a CSV roster (header: email[,name][,external_id]) and record their "
            "external ids.")
    kind = INVITATIONS

    def add_kind_arguments(self, parser):
        parser.add_argument("--no-auto-enroll", action="store_true",
                            help="invitees are not enrolled automatically when their account is activated")
        parser.add_argument("--email-learners", action="store_true", help="send the LMS's invitation emails")
        parser.add_argument("--existing-external-ids", choices=EXTERNAL_ID_MODES, default=REPLACE)

    def import_options(self, options):
        return {"auto_enroll": not options["no_auto_enroll"], "email_learners": options["email_learners"],
                "existing_external_ids": options["existing_external_ids"]}

    def run_import(self, **kwargs):
        return api.bulk_invite(**kwargs)
