"""What both import commands share: arguments, the course and actor, the call into the Python API, the output."""
import json
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from tqdm import tqdm

from certexceptions_plugin.bulk import pipeline
from certexceptions_plugin.bulk.kinds import ImportKind
from certexceptions_plugin.bulk.results import BulkResult, csv_lines
from certexceptions_plugin.errors import PluginError
from certexceptions_plugin.host import get_host


class ImportCommand(BaseCommand):
    """``COURSE_ID FILE --actor USERNAME [--dry-run] [--json] [--report PATH]`` plus the kind's own options."""

    kind: ImportKind

    def add_kind_arguments(self, parser) -> None:
        """The kind's own options."""

    def import_options(self, options: dict) -> dict:
        """The kind's options, from the parsed arguments, as the Python API names them."""
        raise NotImplementedError

    def run_import(self, **kwargs) -> BulkResult:
        """Call the kind's function in :mod:`certexceptions_plugin.api`."""
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("course_id")
        parser.add_argument("file", help="path of the CSV file")
        parser.add_argument("--actor", required=True, help="username the changes are audited under")
        parser.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
        parser.add_argument("--json", action="store_true", help="print the whole result, as the REST API answers")
        parser.add_argument("--report", metavar="PATH", help="write every row's result to this CSV file")
        self.add_kind_arguments(parser)

    def handle(self, *args, **options):
        course_key, actor = _course_key(options["course_id"]), _actor(options["actor"])
        kind_options = self.import_options(options)
        try:
            with open(options["file"], "rb") as csv_file, self.progress_bar() as bar:
                result = self.run_import(course_key=course_key, actor=actor, csv_file=csv_file,
                                         dry_run=options["dry_run"], progress=bar, **kind_options)
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}.") from exc
        except PluginError as exc:
            raise CommandError(f"{exc.error_code}: {exc.message}") from exc
        if options["report"]:
            self.write_report(result, options["report"])
        if options["json"]:
            self.stdout.write(json.dumps(pipeline.payload(self.kind, result, kind_options), indent=2))
        else:
            self.stdout.write(self.summary(result))

    @contextmanager
    def progress_bar(self):
        """A progress callback drawing a tqdm bar of rows on a terminal (on stderr), and doing nothing elsewhere."""
        if not self.stderr.isatty():
            yield None
            return
        # tqdm draws with carriage returns: it writes to the stream itself, not through Django's line-ending wrapper.
        with tqdm(unit="rows", file=self.stderr._out) as bar:  # pylint: disable=protected-access
            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)
            yield progress

    def write_report(self, result: BulkResult, path: str) -> None:
        try:
            with open(path, "w", encoding="utf-8-sig", newline="") as report:
                report.writelines(csv_lines((row.as_dict() for row in result.iter_rows()), self.kind.report_columns))
        except OSError as exc:
            raise CommandError(f"Cannot write the report {path}: {exc.strerror}.") from exc

    def summary(self, result: BulkResult) -> str:
        """The counts, then one line per failed row."""
        prefix = "Dry run, nothing written. " if result.dry_run else ""
        lines = [prefix + ", ".join(f"{name}: {count}" for name, count in result.summary.items())]
        lines.extend(f"row {row.row}: {row.fields[self.kind.identifier_field]}: {row.reason}: {row.message}"
                     for row in result.failures)
        return "\n".join(lines)


def _course_key(course_id: str) -> CourseKey:
    try:
        course_key = CourseKey.from_string(course_id)
    except InvalidKeyError as exc:
        raise CommandError(f"Invalid course id {course_id!r}.") from exc
    if get_host().get_course(course_key=course_key) is None:
        raise CommandError(f"Course {course_id} does not exist.")
    return course_key


def _actor(username: str):
    actor = get_user_model().objects.filter(username=username).first()
    if actor is None:
        raise CommandError(f"No user named {username!r}.")
    return actor
