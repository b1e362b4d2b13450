"""
``retire_learner_data USERNAME [USERNAME ...] | --all-pending``: forget retired learners' personal data again.

The LMS's retirement signals do this as the LMS retires an account; this command finishes a retirement that failed
or waited for a running import (``--all-pending``: every one the plugin remembers), or redoes a given one.
"""
from django.core.management.base import BaseCommand, CommandError

from certexceptions_plugin.privacy import retirement


class Command(BaseCommand):
    help = ("Forget the personal data of retired learners (by their original or retired username), or of every "
            "learner whose retirement the plugin could not finish (--all-pending).")

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", metavar="USERNAME",
                            help="original or retired username of an account the LMS is retiring")
        parser.add_argument("--all-pending", action="store_true",
                            help="every retirement the plugin could not finish")

    def handle(self, *args, **options):
        usernames, all_pending = options["usernames"], options["all_pending"]
        if bool(usernames) == all_pending:
            raise CommandError("Give one or more usernames, or --all-pending.")
        if all_pending:
            pending = retirement.unfinished()
            if not pending:
                self.stdout.write("No unfinished retirement.")
        else:
            pending = {}
            for username in usernames:
                found = retirement.find(username)
                if found is None:
                    raise CommandError(f"No retirement of {username!r}: the LMS is not retiring that account.")
                pending[found.user_id] = found
        failed = [user_id for user_id, found in pending.items() if not self._finish(user_id, found)]
        if failed:
            raise CommandError(f"{len(failed)} of {len(pending)} retirements are still unfinished (users "
                               f"{', '.join(map(str, failed))}); run the command again once the cause is fixed.")

    def _finish(self, user_id: int, found) -> bool:
        """Finish one retirement and say how it went; whether it is finished."""
        if found is None:
            self.stderr.write(f"user {user_id}: the LMS no longer has its retirement record and the plugin "
                              "remembers no identity for it; nothing can be looked up.")
            return False
        try:
            forgotten = retirement.finish(found)
        except Exception as exc:  # pylint: disable=broad-except
            self.stderr.write(f"user {user_id} ({found.retired_username}): {type(exc).__name__}: {exc}")
            return False
        self.stdout.write(f"user {user_id} ({found.retired_username}): {forgotten}")
        return not forgotten.waiting
