"""The Bulk tools staff page: who may open it, what it shows each role, and what its JavaScript is handed."""
import json
import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import resolve

from certexceptions_plugin.bulk.kinds import KINDS
from certexceptions_plugin.staff_page import content
from certexceptions_plugin.staff_page.strings import STRINGS
from tests.factories import EnrollmentFactory, UserFactory


def page_url(course_id):
    return f"/certexceptions/courses/{course_id}/"


class Page(HTMLParser):
    """The ids, the labels and the configuration of a rendered page."""

    def __init__(self, html):
        super().__init__()
        self.ids, self.label_for, self.inputs, self.imports, self.config_text = [], set(), [], [], None
        self._in_config = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and "for" in attrs:
            self.label_for.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.inputs.append(attrs)
        if "data-cxp-import" in attrs:
            self.imports.append(attrs["data-cxp-import"])
        self._in_config = tag == "script" and attrs.get("id") == "cxp-config"

    def handle_data(self, data):
        if self._in_config:
            self.config_text = data
            self._in_config = False

    @property
    def config(self):
        return json.loads(self.config_text)


@pytest.fixture
def page(client, course):
    def get(user):
        client.force_login(user)
        response = client.get(page_url(course.id))
        assert response.status_code == 200, response.status_code
        return Page(response.content.decode())
    return get


class TestWhoMayOpenIt:
    def test_anonymous_users_are_sent_to_the_login_page(self, client, course):
        response = client.get(page_url(course.id))
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == "/login"

    def test_learners_are_refused(self, client, course):
        learner = EnrollmentFactory(course_id=course.id, user__username="learner1").user
        client.force_login(learner)
        assert client.get(page_url(course.id)).status_code == 403

    def test_staff_of_another_course_are_refused(self, client, course, other_course_staff):
        client.force_login(other_course_staff)
        assert client.get(page_url(course.id)).status_code == 403

    @pytest.mark.parametrize("course_id", ["course-v1:NoSuch+Course+Run", "course-v1:bad id+x+y"])
    def test_unknown_or_malformed_courses_are_404(self, client, instructor, course_id):
        client.force_login(instructor)
        assert client.get(page_url(course_id)).status_code == 404

    def test_the_page_is_never_cached_and_sets_the_csrf_cookie(self, client, course, course_staff):
        client.force_login(course_staff)
        response = client.get(page_url(course.id))
        assert "no-store" in response["Cache-Control"]
        assert "csrftoken" in response.cookies

    def test_only_get(self, client, course, course_staff):
        client.force_login(course_staff)
        assert client.post(page_url(course.id)).status_code == 405


@pytest.fixture
def other_course_staff(db):
    from tests.factories import CourseFactory, RoleFactory  # pylint: disable=import-outside-toplevel
    other = CourseFactory(display_name="Other", org="TestX")
    return RoleFactory(course_id=other.id, role="staff", user__username="otherstaff").user


class TestWhatEachRoleSees:
    def test_instructors_get_both_imports_and_the_join_code(self, page, instructor):
        shown = page(instructor)
        assert shown.imports == ["certificate_exceptions", "invitations"]
        assert set(shown.config["imports"]) == {"certificate_exceptions", "invitations"}
        assert "cxp-join-code" in shown.ids

    def test_course_staff_get_no_certificate_actions(self, client, course, course_staff):
        client.force_login(course_staff)
        html = client.get(page_url(course.id)).content.decode()
        shown = Page(html)
        assert shown.imports == ["invitations"]
        assert set(shown.config["imports"]) == {"invitations"}
        assert "certificate_exceptions" not in json.dumps(shown.config)
        assert "data-cxp-no-certificates" in html  # a sentence says who can grant them

    def test_global_staff_may_grant(self, page, global_staff):
        assert page(global_staff).imports == ["certificate_exceptions", "invitations"]


class TestMarkup:
    def test_ids_are_unique_and_every_field_has_a_label(self, page, instructor):
        shown = page(instructor)
        assert not [name for name, count in Counter(shown.ids).items() if count > 1]
        for field in shown.inputs:
            labelled = field.get("id") in shown.label_for or "aria-label" in field
            # Checkboxes and radios sit inside their <label>.
            assert labelled or field.get("type") in ("checkbox", "radio"), field

    def test_user_text_is_escaped(self, client, course, instructor):
        course.display_name = "<script>alert(1)</script>"
        course.save()
        client.force_login(instructor)
        html = client.get(page_url(course.id)).content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


class TestConfiguration:
    def test_every_url_is_the_plugin_endpoint_it_names(self, page, instructor, course):
        config = page(instructor).config
        expected = {
            config["imports"]["certificate_exceptions"]["url"]: "certificate_exception_imports",
            config["imports"]["invitations"]["url"]: "bulk_invitations",
            config["externalIds"]["url"]: "external_ids",
            config["externalIds"]["csvUrl"]: "external_ids_csv",
            config["joinCode"]["url"]: "course_join_code",
            config["joinCode"]["regenerateUrl"]: "course_join_code_regenerate",
            config["joinCode"]["qrUrl"]: "course_join_code_qr",
        }
        for url, name in expected.items():
            match = resolve(urlsplit(url).path)
            assert (match.url_name, match.kwargs["course_id"]) == (name, str(course.id))
        operations = config["imports"]["invitations"]["operationsUrl"]
        assert resolve(urlsplit(operations).path).url_name == "bulk_operations"
        assert urlsplit(operations).query == "kind=invitations"

    def test_the_csrf_token_is_the_session_s(self, client, course, instructor):
        client.force_login(instructor)
        response = client.get(page_url(course.id))
        token = Page(response.content.decode()).config["csrfToken"]
        assert token and len(token) == 64  # a masked token for the cookie the response sets
        assert response.cookies["csrftoken"].value

    def test_every_outcome_of_every_import_has_words(self, page, instructor):
        config = page(instructor).config
        for name, kind in KINDS.items():
            outcomes = config["imports"][name]["outcomes"]
            assert [item["code"] for item in outcomes] == [str(outcome) for outcome in kind.outcomes]
            assert all(item["label"] and item["description"] for item in outcomes)

    def test_every_option_and_choice_has_a_label(self):
        for kind in KINDS.values():
            for option in kind.options:
                assert option.name in content.OPTION_LABELS
                assert set(option.choices) <= set(content.CHOICE_LABELS)

    def test_every_column_shown_is_a_row_field(self):
        for name, panel in content.PANELS.items():
            assert set(panel["columns"]) <= set(KINDS[name].row_fields)

    def test_the_script_uses_exactly_the_sentences_it_is_given(self):
        script = (content.ROOM / "static" / "staff_page.js").read_text()
        used = set(re.findall(r"\bt\(\"(\w+)\"\)", script))
        used |= {f"status_{status}" for status in ("pending", "running", "succeeded", "failed")}  # "status_" + ...
        assert used == set(STRINGS)
