"""
The demo's command line, ``python -m certexceptions_plugin.standalone COMMAND``: ``serve``, ``token`` and ``reset``,
the plugin's management commands, and any other Django command, all on the demo's database. ``--help`` lists them.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import socket
import sys
import time

from certexceptions_plugin.standalone import location

PROG = "python -m certexceptions_plugin.standalone"
SETTINGS = "certexceptions_plugin.standalone.settings"
#: The commands ``--help`` lists beside the demo's own, by the app that defines them; they need the demo's data.
PLUGIN_COMMANDS = {
    "bulk_certificate_exceptions": "certexceptions_plugin",
    "bulk_invite": "certexceptions_plugin",
    "retire_learner_data": "certexceptions_plugin",
    "delete_expired_results": "certexceptions_plugin",
    "retire": "certexceptions_plugin.standalone",
}
OWN_COMMANDS = ("serve", "token", "reset")


class Failure(Exception):
    """A problem the user can fix, told in one line."""


def port_number(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}")
    return int(value)


def options_parser(**kwargs) -> argparse.ArgumentParser:
    """``--db`` and ``--port``, which every command takes, anywhere on the line."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False, **kwargs)
    parser.add_argument("--db", metavar="PATH", default=kwargs.get("argument_default"),
                        help="the demo's SQLite file (default: $CERTEXCEPTIONS_DB, else demo.sqlite3 in "
                             "$CERTEXCEPTIONS_HOME, else in ~/.local/share/certexceptions-demo)")
    parser.add_argument("--port", type=port_number, default=kwargs.get("argument_default"),
                        help=f"the port the demo serves on, at {location.HOST} (default: $CERTEXCEPTIONS_PORT, "
                             f"else {location.DEFAULT_PORT}); join URLs and JWTs name it")
    return parser


def command_parser(plugin_commands: dict[str, str]) -> argparse.ArgumentParser:
    """Every command, with ``plugin_commands`` (name: help) listed among them."""
    options = options_parser(argument_default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog=PROG, parents=[options], allow_abbrev=False,
        description="The certexceptions_plugin demo: an LMS stand-in with the plugin installed, on a SQLite file.",
        epilog="Any other Django management command (shell, dbshell, createsuperuser, ...) runs on the demo's "
               f"database too. The database in use: {location.database()}")
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    commands.add_parser("serve", parents=[options], help="migrate, seed and serve the demo (prints how to try it)")
    commands.add_parser("token", parents=[options], help="print a JWT for a demo user (valid 24 hours)").add_argument(
        "username")
    commands.add_parser("reset", parents=[options], help="delete the demo's data and seed it again")
    for name, description in plugin_commands.items():
        commands.add_parser(name, add_help=False, help=f"{description.rstrip('.')} (see: {name} --help)")
    return parser


def plugin_commands() -> dict[str, str]:
    """The plugin's management commands and their help."""
    setup_django()
    from django.core.management import load_command_class  # pylint: disable=import-outside-toplevel

    return {name: load_command_class(app, name).help for name, app in PLUGIN_COMMANDS.items()}


def main(argv=None) -> int:
    known, rest = options_parser(prog=PROG).parse_known_args(sys.argv[1:] if argv is None else argv)
    if known.db:
        os.environ["CERTEXCEPTIONS_DB"] = os.path.abspath(known.db)
    if known.port:
        os.environ["CERTEXCEPTIONS_PORT"] = str(known.port)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    try:
        if not rest or rest[0] in ("-h", "--help"):
            command_parser(plugin_commands()).print_help()
        elif rest[0] in OWN_COMMANDS:
            args = command_parser({}).parse_args(rest)  # before Django starts: its settings read --db and --port
            {"serve": serve, "token": token, "reset": reset}[args.command](args)
        else:
            django_command(rest)
    except Failure as failure:
        print(f"{PROG}: {failure}", file=sys.stderr)
        return 1
    return 0


def setup_django() -> None:
    import django  # pylint: disable=import-outside-toplevel

    django.setup()


def serve(args) -> None:  # pylint: disable=unused-argument
    port = location.port()
    check_port_is_free(port)
    prepare_database()
    from django.core.management import execute_from_command_line  # pylint: disable=import-outside-toplevel

    from certexceptions_plugin.standalone import demo  # pylint: disable=import-outside-toplevel

    print(demo.banner(lms_root_url=location.lms_root_url(), database=str(location.database()),
                      command=invocation()), flush=True)
    execute_from_command_line(["manage.py", "runserver", f"{location.HOST}:{port}", "--noreload"])


def token(args) -> None:
    require_database()
    setup_django()
    from django.contrib.auth import get_user_model  # pylint: disable=import-outside-toplevel

    from certexceptions_plugin.standalone import demo  # pylint: disable=import-outside-toplevel

    with database_errors():
        try:
            print(demo.token(args.username))
        except get_user_model().DoesNotExist as error:
            raise Failure(f"no user {args.username!r} in the demo (its users: admin, instructor, staff, "
                          f"learner1 ... learner60)") from error


def reset(args) -> None:  # pylint: disable=unused-argument
    if not on_sqlite():
        raise Failure("reset empties the SQLite demo only")
    database = location.database()
    for path in (database, database.with_name(database.name + "-journal")):
        path.unlink(missing_ok=True)
    prepare_database()
    print(f"The demo's data is back to the seed. Serve it: {invocation()} serve")


def django_command(argv: list[str]) -> None:
    """Any Django command; the plugin's commands need the demo's data (and its users, for ``--actor``)."""
    from django.core.management import execute_from_command_line  # pylint: disable=import-outside-toplevel

    if argv[0] not in PLUGIN_COMMANDS or {"-h", "--help"} & set(argv):
        execute_from_command_line(["manage.py", *argv])
        return
    require_database()
    with database_errors():
        execute_from_command_line(["manage.py", *argv])


def prepare_database() -> None:
    """Migrate and seed the demo's database, saying so as it goes."""
    database = location.database()
    print(f"Demo database: {database}{'' if database.exists() else ' (new)'}", flush=True)
    setup_django()
    from django.core.management import call_command  # pylint: disable=import-outside-toplevel

    from certexceptions_plugin.standalone import demo  # pylint: disable=import-outside-toplevel

    with step("Migrating"):
        call_command("migrate", verbosity=0)
    with step("Seeding the demo data"):
        demo.seed()


@contextlib.contextmanager
def step(what: str):
    """Prints ``<what>... done (0.4 s)`` around a step."""
    print(f"{what}...", end=" ", flush=True)
    started = time.monotonic()
    try:
        yield
    except BaseException:
        print("failed", flush=True)
        raise
    print(f"done ({time.monotonic() - started:.1f} s)", flush=True)


def check_port_is_free(port: int) -> None:
    """Refuse a port something listens on, before any work (runserver would fail only after the migrations)."""
    error = _bind_error(port)
    if error is None:
        return
    free = next((other for other in range(port + 1, min(port + 100, 65536)) if _bind_error(other) is None), 8123)
    raise Failure(f"port {port} on {location.HOST} is in use ({error.strerror}); choose another: "
                  f"make demo PORT={free}, or {PROG} serve --port {free}")


def _bind_error(port: int) -> OSError | None:
    """Why runserver could not listen on ``port``, if it could not."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as runserver binds
        try:
            probe.bind((location.HOST, port))
        except OSError as error:
            return error
    return None


def on_sqlite() -> bool:
    return os.environ.get("CERTEXCEPTIONS_TEST_DB") in (None, "", "sqlite")


def require_database() -> None:
    """The demo's SQLite file must exist: opening a missing one would create an empty file."""
    if on_sqlite() and not location.database().exists():
        raise Failure(f"no demo database at {location.database()}; create it with: {invocation()} serve "
                      f"(or {invocation()} reset), or name another with --db")


@contextlib.contextmanager
def database_errors():
    """A database that is not the demo's (no tables, another schema), told in one line."""
    from django.db import DatabaseError  # pylint: disable=import-outside-toplevel

    try:
        yield
    except DatabaseError as error:
        raise Failure(f"{location.database()} is not a demo database ({error}); "
                      f"start again with: {invocation()} reset") from error


def invocation() -> str:
    """This command line, with the ``--db`` and ``--port`` in use, to run from any directory."""
    words = [shlex.quote(sys.executable), "-m", "certexceptions_plugin.standalone"]
    if os.environ.get("CERTEXCEPTIONS_DB"):
        words += ["--db", shlex.quote(str(location.database()))]
    if location.port() != location.DEFAULT_PORT:
        words += ["--port", str(location.port())]
    return " ".join(words)


if __name__ == "__main__":
    sys.exit(main())
