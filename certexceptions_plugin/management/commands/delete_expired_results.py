"""``delete_expired_results``: delete import results older than ``CERTEXCEPTIONS_RESULT_RETENTION_DAYS``."""
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from certexceptions_plugin.privacy import retention


class Command(BaseCommand):
    help = ("Delete the stored uploads, rows and operations of imports that last changed more than "
            "CERTEXCEPTIONS_RESULT_RETENTION_DAYS days ago. Audit events are kept.")

    def handle(self, *args, **options):
        try:
            days = retention.retention_days()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if days is None:
            self.stdout.write("CERTEXCEPTIONS_RESULT_RETENTION_DAYS is None: import results are kept.")
            return
        self.stdout.write(f"Older than {days} days: {retention.delete_expired_results()}.")
