"""
``python -m certexceptions_plugin.standalone serve [--port N] [--db PATH]`` migrates, seeds and serves the demo;
``python -m certexceptions_plugin.standalone token USERNAME`` prints a JWT for a demo user; anything else is
passed to Django's ``manage.py``.
"""
import argparse
import os
import sys

from django.core.management import execute_from_command_line

DEMO_COURSE_ID = "course-v1:DemoX+CE101+2026"


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m certexceptions_plugin.standalone")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="migrate, seed and serve the demo on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--db", help="SQLite file (default: ./demo.sqlite3)")
    token = commands.add_parser("token", help="print a JWT for a demo user")
    token.add_argument("username")
    token.add_argument("--db", help="SQLite file (default: ./demo.sqlite3)")
    if not argv or argv[0] not in ("serve", "token"):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certexceptions_plugin.standalone.settings")
        execute_from_command_line(["manage.py", *argv])
        return
    args = parser.parse_args(argv)
    if args.db:
        os.environ["CERTEXCEPTIONS_DB"] = os.path.abspath(args.db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certexceptions_plugin.standalone.settings")

    import django  # pylint: disable=import-outside-toplevel
    django.setup()
    from certexceptions_plugin.standalone import demo  # pylint: disable=import-outside-toplevel

    if args.command == "token":
        print(demo.token(args.username))
        return
    execute_from_command_line(["manage.py", "migrate", "--verbosity", "0"])
    demo.seed()
    print(_instructions(demo, args.port))
    execute_from_command_line(["manage.py", "runserver", f"127.0.0.1:{args.port}", "--noreload"])


def _instructions(demo, port: int) -> str:
    base = f"http://127.0.0.1:{port}/api/instructor/v2/courses/{DEMO_COURSE_ID}"
    tokens = {username: demo.token(username) for username in ("instructor", "staff", "learner1", "learner51")}
    joins = f"http://127.0.0.1:{port}/api/course_join/v1/codes"
    lines = [
        "",
        f"Demo course {DEMO_COURSE_ID} is ready; API docs at http://127.0.0.1:{port}/api-docs/",
        f"Instructor dashboard, Bulk tools tab: http://127.0.0.1:{port}/courses/{DEMO_COURSE_ID}/instructor",
        f"  sign in as instructor, staff, admin or learner1 ... learner60; every password is {demo.DEMO_PASSWORD}",
        "Tokens (valid 24 hours):",
        *(f"  export TOKEN_{name.upper()}='{value}'" for name, value in tokens.items()),
        "",
        "Try (as the instructor):",
        "  printf 'username_or_email,notes\\nlearner1,Medical leave\\nlearner2@example.com,\\nnobody\\n"
        "learner55\\nlearner7\\nlearner1\\n' > exceptions.csv",
        f"  curl -s -H \"Authorization: JWT $TOKEN_INSTRUCTOR\" -F file=@exceptions.csv -F dry_run=true {base}"
        "/certificates/exceptions/imports",
        f"  curl -s -H \"Authorization: JWT $TOKEN_INSTRUCTOR\" -F file=@exceptions.csv {base}"
        "/certificates/exceptions/imports",
        "  # upload the same file again: every granted row is now 'unchanged'; add -F action=remove to remove them",
        f"  curl -s -H \"Authorization: JWT $TOKEN_INSTRUCTOR\" {base}/audit",
        "Course staff may not grant exceptions (403):",
        f"  curl -s -H \"Authorization: JWT $TOKEN_STAFF\" -F file=@exceptions.csv {base}"
        "/certificates/exceptions/imports",
        "",
        "Invite a roster with student ids (learner1 holds S0001, learner2 S0002; newstudent@example.com is invited):",
        "  printf 'email,name,student_id\\nnewperson@example.com,New Person,S0200\\nlearner1@example.com,,S0003\\n"
        "learner3@example.com,,S0001\\nlearner4@example.com,,S0002\\n' > roster.csv",
        f"  curl -s -H \"Authorization: JWT $TOKEN_STAFF\" -F file=@roster.csv {base}/invitations/bulk",
        f"  curl -s -H \"Authorization: JWT $TOKEN_STAFF\" {base}/external_ids",
        "",
        "A join code (learner51 is not enrolled in CE101; put the code the first call answers in CODE):",
        f"  curl -s -X POST -H \"Authorization: JWT $TOKEN_STAFF\" {base}/join_code",
        "  CODE=...",
        f"  curl -s {joins}/CODE",
        f"  curl -s -X POST -H \"Authorization: JWT $TOKEN_LEARNER51\" {joins}/CODE",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
