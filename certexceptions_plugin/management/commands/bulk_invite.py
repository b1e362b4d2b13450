"""``bulk_invite COURSE_ID FILE --actor USERNAME [--dry-run]``: the bulk invitation endpoint, from a shell."""
import json

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from certexceptions_plugin.bulk.errors import FileRejected, ImportInProgress
from certexceptions_plugin.host import get_host
from certexceptions_plugin.invitations import services
from certexceptions_plugin.invitations.importer import EXTERNAL_ID_MODES, REPLACE


class Command(BaseCommand):
    help = ("Invite or enrol every person of a CSV roster (header: email[,name][,external_id]) and record their "
            "external ids; prints the result as JSON.")

    def add_arguments(self, parser):
        parser.add_argument("course_id")
        parser.add_argument("file", help="path of the CSV file")
        parser.add_argument("--actor", required=True, help="username the changes are audited under")
        parser.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
        parser.add_argument("--no-auto-enroll", action="store_true",
                            help="invitees are not enrolled automatically when their account is activated")
        parser.add_argument("--email-learners", action="store_true", help="send the LMS's invitation emails")
        parser.add_argument("--existing-external-ids", choices=EXTERNAL_ID_MODES, default=REPLACE)

    def handle(self, *args, **options):
        try:
            course_key = CourseKey.from_string(options["course_id"])
        except InvalidKeyError as exc:
            raise CommandError(f"Not a course id: {options['course_id']}") from exc
        if get_host().get_course(course_key=course_key) is None:
            raise CommandError(f"Course not found: {course_key}")
        actor = get_user_model().objects.filter(username=options["actor"]).first()
        if actor is None:
            raise CommandError(f"No user named {options['actor']}")
        try:
            with open(options["file"], "rb") as handle:
                columns, rows = services.read_rows(File(handle))
                result = services.import_invitations(
                    course_key=course_key, actor=actor, columns=columns, rows=rows, dry_run=options["dry_run"],
                    auto_enroll=not options["no_auto_enroll"], email_learners=options["email_learners"],
                    existing_external_ids=options["existing_external_ids"])
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc}") from exc
        except (FileRejected, ImportInProgress) as exc:
            raise CommandError(f"{exc.error_code}: {exc.message}") from exc
        self.stdout.write(json.dumps(services.result_payload(result), indent=2))
