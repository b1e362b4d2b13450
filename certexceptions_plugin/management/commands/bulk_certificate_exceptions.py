"""``manage.py bulk_certificate_exceptions COURSE_ID FILE --actor USERNAME [--dry-run] [--remove]``."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from certexceptions_plugin import api
from certexceptions_plugin.bulk.errors import FileRejected, ImportInProgress
from certexceptions_plugin.certificates.importer import GRANT, REMOVE
from certexceptions_plugin.host import get_host


class Command(BaseCommand):
    help = "Grant (or remove) certificate exceptions for every learner in a CSV of username_or_email[,notes]."

    def add_arguments(self, parser):
        parser.add_argument("course_id")
        parser.add_argument("file", help="path of the CSV file")
        parser.add_argument("--actor", required=True, help="username the changes are audited under")
        parser.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
        parser.add_argument("--remove", action="store_true", help="remove exceptions instead of granting them")

    def handle(self, *args, **options):
        course_key = self._course_key(options["course_id"])
        try:
            actor = get_user_model().objects.get(username=options["actor"])
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user named {options['actor']!r}.") from exc
        try:
            with open(options["file"], "rb") as csv_file:
                result = api.bulk_certificate_exceptions(
                    course_key=course_key, actor=actor, csv_file=csv_file,
                    action=REMOVE if options["remove"] else GRANT, dry_run=options["dry_run"])
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}.") from exc
        except (FileRejected, ImportInProgress) as exc:
            raise CommandError(f"{exc.error_code}: {exc.message}") from exc

        prefix = "Dry run, nothing written. " if result.dry_run else ""
        self.stdout.write(prefix + ", ".join(f"{name}: {count}" for name, count in result.summary.items()))
        for row in result.failures:
            self.stdout.write(f"row {row.row}: {row.fields['learner']}: {row.reason}: {row.message}")

    @staticmethod
    def _course_key(course_id):
        try:
            course_key = CourseKey.from_string(course_id)
        except InvalidKeyError as exc:
            raise CommandError(f"Invalid course id {course_id!r}.") from exc
        if get_host().get_course(course_key=course_key) is None:
            raise CommandError(f"Course {course_id} does not exist.")
        return course_key
