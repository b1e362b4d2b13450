"""
schemathesis against the running demo, every check on, as each role: whatever it sends, the API answers as its
OpenAPI schema (served by the demo itself) says, and takes what the schema allows. The course id is pinned to the
demo's course, so that requests reach the views rather than a 404 for an unknown course.

A few examples per operation here (``make test-schemathesis``, in CI); many more with ``HYPOTHESIS_PROFILE=fuzz``
(``make fuzz``). What it found is kept fixed in tests/test_schema_conformance.py.
"""
import collections
import csv
import io
import os

import pytest
import schemathesis
from hypothesis import settings
from hypothesis import strategies as st

from certexceptions_plugin.invitations.importer import COLUMN_ALIASES, EMAIL
from tests.conftest import RUN_SUMMARY
from tests.demo_server import serve_demo
from tests.test_fuzz import CELL

pytestmark = pytest.mark.schemathesis

COURSE = "course-v1:DemoX+CE101+2026"
#: Role: the demo user it signs in as (None: no credentials).
ROLES = {"anonymous": None, "learner": "learner1", "course_staff": "staff", "course_instructor": "instructor",
         "global_staff": "admin"}
#: Examples per operation and role in the fuzzing phase, by hypothesis profile (tests/conftest.py); the examples and
#: coverage phases add their own cases.
MAX_EXAMPLES = {"ci": 5, "fuzz": 500}[os.environ.get("HYPOTHESIS_PROFILE", "ci")]

cases_run = collections.Counter()


@st.composite
def csv_files(draw):
    """
    CSV files as both upload endpoints describe theirs (``file_help`` in the schema): UTF-8 with or without a BOM,
    ``,`` ``;`` or tab, a header row naming accepted roster columns, ``email`` first, then at least one row that is
    not blank, of cells of any text but NUL, quoted as CSV quotes. (The certificate import takes a lone ``email`` as
    its header, and a longer header as a row that names no learner.)
    """
    others = [draw(st.sampled_from(aliases)) for column, aliases in COLUMN_ALIASES.items()
              if column != EMAIL and draw(st.booleans())]
    cell = CELL.filter(lambda text: "\x00" not in text)
    row = st.lists(cell, min_size=1, max_size=len(others) + 1)
    rows = draw(st.lists(row, max_size=5)) + [draw(row.filter(lambda cells: any(c.strip() for c in cells)))]
    text = io.StringIO()
    writer = csv.writer(text, delimiter=draw(st.sampled_from([",", ";", "\t"])),
                        lineterminator=draw(st.sampled_from(["\r\n", "\n"])),
                        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])))
    writer.writerows([[EMAIL, *others], *draw(st.permutations(rows))])
    return (draw(st.sampled_from(["", "\ufeff"])) + text.getvalue()).encode()


# schemathesis has no generator for text/csv, the upload's file part: without one it sends other files' bytes (a PNG)
# as that part, which the endpoints rightly refuse as not UTF-8 text (tests/test_fuzz.py sends them any bytes).
schemathesis.openapi.media_type("text/csv", csv_files())


@schemathesis.hook
def filter_case(context, case):  # pylint: disable=unused-argument
    """
    Not a case schemathesis can send as it made it. multipart/form-data sends a list as one part per item: an empty
    list as no part, a one-item list as its item, so a request schemathesis takes for a type error (``dry_run: []``)
    reaches the server without the field or with a value of the field's type, and the API rightly takes it. Longer
    lists reach it as a field given twice, which it refuses.
    """
    if case.media_type != "multipart/form-data" or not isinstance(case.body, dict):
        return True
    return not any(isinstance(value, list) and len(value) <= 1 for value in case.body.values())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with serve_demo(tmp_path_factory.mktemp("schemathesis-demo")) as server:
        yield server


@pytest.fixture(scope="module", params=ROLES)
def role(request):
    return request.param


@pytest.fixture(scope="module")
def api_schema(demo, role):
    config = {"parameters": {"path.course_id": COURSE}}
    if ROLES[role]:
        config["auth"] = {"openapi": {"jwtAuth": {"api_key": f"JWT {demo.token(ROLES[role])}"}}}
    return schemathesis.openapi.from_url(f"{demo.url}/api-docs/schema/?format=json",
                                         config=schemathesis.Config.from_dict(config))


@pytest.fixture(scope="module", autouse=True)
def report_cases(request):
    yield
    if cases_run:
        request.config.stash.setdefault(RUN_SUMMARY, []).append(
            "schemathesis cases: " + ", ".join(f"{role} {count}" for role, count in cases_run.items()))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES)  # over the profile's, which is for tests of one function each
def test_the_api_answers_as_its_schema_says(case, role):
    cases_run[role] += 1
    case.call_and_validate()
