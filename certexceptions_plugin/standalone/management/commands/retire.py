"""``retire USERNAME``: retire a user's account as the LMS's retirement pipeline does (see ``standalone.retirement``)."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from certexceptions_plugin.standalone import retirement


class Command(BaseCommand):
    help = ("Retire a user's account as the LMS does: its email and username are replaced by retired forms, and "
            "USER_RETIRE_LMS_MISC then USER_RETIRE_LMS_CRITICAL are sent, so that every app forgets the person.")

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        username = options["username"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            status = retirement.retire(user)
        except retirement.AlreadyRetiring as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Retired {username}: the account is now {status.retired_username} "
                          f"<{status.retired_email}>, inactive.")
