"""
The Bulk tools content, one web fragment serving both the staff page and the instructor dashboard's tab.

A fragment (web-fragments' ``Fragment``) is what the LMS's instructor dashboard takes a plugin section's content as:
``lms/templates/instructor/instructor_dashboard_2/instructor_dashboard_2.html`` puts every section fragment's
``head_html()`` in the page head and its ``foot_html()`` at the end of the body, and the section's own template
renders its ``body_html()``. The CSS and JavaScript come from this package and are inlined, as
platform-plugin-aspects inlines its tab's (``platform_plugin_aspects/extensions/filters.py``, ``AddSupersetTab``),
so the tab needs no static-file collection. The JavaScript calls only the plugin's REST endpoints, with the
session cookie and the CSRF token the fragment carries.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from django.middleware.csrf import get_token
from django.template import Context, Engine
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy
from web_fragments.fragment import Fragment

from certexceptions_plugin.certificates.imports import CERTIFICATE_EXCEPTIONS
from certexceptions_plugin.host import get_host
from certexceptions_plugin.host.port import CourseInfo, Permission
from certexceptions_plugin.invitations.imports import INVITATIONS
from certexceptions_plugin.staff_page.strings import STRINGS

ROOM = Path(__file__).resolve().parent

#: Words a course team reads for each outcome code (codes stay untranslated in the API).
OUTCOME_LABELS = {
    "granted": gettext_lazy("Granted"),
    "updated": gettext_lazy("Updated"),
    "unchanged": gettext_lazy("Unchanged"),
    "removed": gettext_lazy("Removed"),
    "invited": gettext_lazy("Invited"),
    "enrolled": gettext_lazy("Enrolled"),
    "existing_invitation": gettext_lazy("Already invited"),
    "existing_enrollment": gettext_lazy("Already enrolled"),
    "failed": gettext_lazy("Failed"),
}
#: The label of each upload option, and of each of its choices.
OPTION_LABELS = {
    "action": gettext_lazy("What to do"),
    "auto_enroll": gettext_lazy("Enrol invited people as soon as they activate their account"),
    "email_learners": gettext_lazy("Email each learner the LMS's invitation or enrolment message"),
    "existing_external_ids": gettext_lazy("When a learner already has a different external id"),
}
CHOICE_LABELS = {
    "grant": gettext_lazy("Grant exceptions"),
    "remove": gettext_lazy("Remove exceptions"),
    "replace": gettext_lazy("Replace it with the file's"),
    "keep": gettext_lazy("Keep the stored one"),
}
#: The row fields each import's result table shows, with their column headings.
COLUMN_LABELS = {
    "learner": gettext_lazy("Learner"),
    "notes": gettext_lazy("Notes"),
    "email": gettext_lazy("Email"),
    "name": gettext_lazy("Name"),
    "external_id": gettext_lazy("External id"),
}


def _panel(kind, *, title, intro, columns) -> dict:
    return {"kind": kind, "title": title, "intro": intro, "columns": columns}


PANELS = {
    CERTIFICATE_EXCEPTIONS.name: _panel(
        CERTIFICATE_EXCEPTIONS, title=gettext_lazy("Certificate exceptions"),
        intro=gettext_lazy("A CSV file with one learner per row: a username or an email, then optional notes. "
                           "Preview shows what would happen to every row; nothing is written until you apply it."),
        columns=("learner", "notes")),
    INVITATIONS.name: _panel(
        INVITATIONS, title=gettext_lazy("Invitations & external ids"),
        intro=gettext_lazy("A CSV roster with a header row: email (required), name and external_id (or "
                           "student_id), in any order. People with an account are enrolled, others are invited; "
                           "each keeps the external id you give them."),
        columns=("email", "name", "external_id")),
}

#: The URL name of each kind's upload; its template is the same name with ``_template``.
IMPORT_URL_NAMES = {CERTIFICATE_EXCEPTIONS.name: "certificate_exception_imports",
                    INVITATIONS.name: "bulk_invitations"}
TITLE = gettext_lazy("Bulk tools")


@cache
def _engine() -> Engine:
    """The room's own templates, rendered the same whatever template settings the host has."""
    return Engine(dirs=[str(ROOM / "templates")], libraries={"i18n": "django.templatetags.i18n"})


@cache
def _asset(name: str) -> str:
    return (ROOM / "static" / name).read_text(encoding="utf-8")


def bulk_tools_fragment(request, course: CourseInfo, *, heading_level: int = 2) -> Fragment:
    """
    The three sections for ``request.user``, who must hold ``Permission.ENROLLMENT`` on the course; certificate
    actions are included only for users who may grant exceptions. ``heading_level`` is the level of the sections'
    headings, below the page's or the dashboard's own.
    """
    host = get_host()
    may_grant = host.has_permission(user=request.user, course_key=course.key, permission=Permission.CERTIFICATES)
    kinds = [CERTIFICATE_EXCEPTIONS.name, INVITATIONS.name] if may_grant else [INVITATIONS.name]
    context = {
        "course": course,
        "may_grant_certificates": may_grant,
        "certificate_panel": _panel_context(CERTIFICATE_EXCEPTIONS.name, course) if may_grant else None,
        "invitation_panel": _panel_context(INVITATIONS.name, course),
        "config": _config(request, course, kinds),
        "h": heading_level,
        "h_sub": heading_level + 1,
    }
    fragment = Fragment(_engine().get_template("content.html").render(Context(context)))
    fragment.add_css(_asset("staff_page.css"))
    fragment.add_javascript(_asset("staff_page.js"))
    return fragment


def render_page(request, course: CourseInfo) -> str:
    """The staff page: the fragment alone on an HTML page."""
    fragment = bulk_tools_fragment(request, course, heading_level=2)
    return _engine().get_template("page.html").render(Context({
        "course": course, "fragment": fragment, "language": get_language() or "en"}))


def _course_url(name: str, course: CourseInfo) -> str:
    return reverse(name, kwargs={"course_id": str(course.key)})


def _panel_context(kind_name: str, course: CourseInfo) -> dict:
    panel = PANELS[kind_name]
    kind = panel["kind"]
    return {
        "id": f"cxp-import-{kind.name}",
        "kind": kind.name,
        "title": panel["title"],
        "intro": panel["intro"],
        "template_url": _course_url(f"{IMPORT_URL_NAMES[kind.name]}_template", course),
        "options": [_option_context(option) for option in kind.options],
    }


def _option_context(option) -> dict:
    context = {"name": option.name, "label": OPTION_LABELS[option.name], "default": option.default}
    if option.choices:
        context["choices"] = [{"value": choice, "label": CHOICE_LABELS[choice]} for choice in option.choices]
    return context


def _import_config(kind_name: str, course: CourseInfo) -> dict:
    kind = PANELS[kind_name]["kind"]
    return {
        "url": _course_url(IMPORT_URL_NAMES[kind_name], course),
        "operationsUrl": f"{_course_url('bulk_operations', course)}?kind={kind.name}",
        "columns": [{"field": field, "label": str(COLUMN_LABELS[field])} for field in PANELS[kind_name]["columns"]],
        "outcomes": [{"code": str(outcome), "label": str(OUTCOME_LABELS[outcome]), "description": str(outcome.sentence)}
                     for outcome in kind.outcomes],
    }


def _config(request, course: CourseInfo, kinds: list[str]) -> dict:
    """What the JavaScript needs: where the endpoints are, the CSRF token, and every sentence it shows."""
    return {
        "csrfToken": get_token(request),
        "imports": {name: _import_config(name, course) for name in kinds},
        "externalIds": {"url": _course_url("external_ids", course), "csvUrl": _course_url("external_ids_csv", course)},
        "joinCode": {"url": _course_url("course_join_code", course),
                     "regenerateUrl": _course_url("course_join_code_regenerate", course),
                     "qrUrl": _course_url("course_join_code_qr", course)},
        "strings": {key: str(value) for key, value in STRINGS.items()},
    }
