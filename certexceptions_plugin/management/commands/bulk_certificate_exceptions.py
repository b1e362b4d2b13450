"""``manage.py bulk_certificate_exceptions COURSE_ID FILE --actor USERNAME [--dry-run] [--remove] [--json]``."""
from certexceptions_plugin import api
from certexceptions_plugin.certificates.importer import GRANT, REMOVE
from certexceptions_plugin.certificates.imports import CERTIFICATE_EXCEPTIONS
from certexceptions_plugin.management.import_command import ImportCommand


class Command(ImportCommand):
    help = "Grant (or remove) certificate exceptions for every learner in a CSV of username_or_email[,notes]."
    kind = CERTIFICATE_EXCEPTIONS

    def add_kind_arguments(self, parser):
        parser.add_argument("--remove", action="store_true", help="remove exceptions instead of granting them")

    def import_options(self, options):
        return {"action": REMOVE if options["remove"] else GRANT}

    def run_import(self, **kwargs):
        return api.bulk_certificate_exceptions(**kwargs)
