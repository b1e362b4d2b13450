"""
Fuzzing the reader and both upload endpoints: whatever the bytes, never a 500, never a partial write, and every
rejection a 4xx with a code. CI runs the small ``ci`` profile; ``make fuzz`` runs 10,000 examples each.
"""
import io

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.bulk.errors import FileRejected
from certexceptions_plugin.bulk.reader import CsvFile
from certexceptions_plugin.certificates.imports import CERTIFICATE_EXCEPTIONS
from certexceptions_plugin.invitations.imports import INVITATIONS
from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.standalone.models import CertificateAllowlist, CourseEnrollmentAllowed
from tests.conftest import csv_file

FILE_ERRORS = {"file_too_large", "not_utf8", "malformed_csv", "empty_file", "too_many_rows", "bad_header"}
CELL = st.one_of(
    st.sampled_from(["learner1", "learner2@example.com", "nobody", "email", "name", "external_id", "notes",
                     "username", "S0001", "", " ", "=1+1", "\uff1dX", "new@example.com"]),
    st.text(max_size=12),
    st.text(st.characters(codec="utf-8"), min_size=200, max_size=400),  # huge cells
)
DELIMITER = st.sampled_from([",", ";", "\t", "|"])


@st.composite
def csv_texts(draw):
    """Text that is mostly CSV: rows of cells, quoted or not, with blank lines and stray quotes."""
    delimiter = draw(DELIMITER)
    rows = []
    for cells in draw(st.lists(st.lists(CELL, max_size=5), max_size=12)):
        quoted = [f'"{cell}"' if draw(st.booleans()) else cell for cell in cells]
        rows.append(delimiter.join(quoted))
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(rows) + draw(st.sampled_from(["", "\n", '"']))


def encodings(text):
    return st.sampled_from([text.encode("utf-8"), ("\ufeff" + text).encode("utf-8"), text.encode("utf-16"),
                            text.encode("latin-1", errors="replace")])


UPLOADS = st.one_of(st.binary(max_size=2000), csv_texts().flatmap(encodings))


@pytest.mark.parametrize("kind", [CERTIFICATE_EXCEPTIONS, INVITATIONS], ids=lambda kind: kind.name)
@given(data=UPLOADS)
def test_the_reader_accepts_a_file_or_rejects_it_with_a_code(kind, data):
    csv = CsvFile(io.BytesIO(data), kind.csv_format, max_bytes=1500, max_rows=8)
    try:
        _, count = csv.check()
    except FileRejected as exc:
        assert exc.error_code in FILE_ERRORS and exc.http_status in (400, 413)
    else:
        assert 1 <= count <= 8 and count == sum(1 for _ in csv.rows())


def written():
    return (CertificateAllowlist.objects.count(), ExternalId.objects.count(), CourseEnrollmentAllowed.objects.count(),
            AuditEvent.objects.count())


@pytest.mark.parametrize("name", ["certificate_exception_imports", "bulk_invitations"])
@given(data=UPLOADS)
def test_an_upload_is_imported_or_rejected_whole(name, data, course, instructor, enrolled_learners, api_client,
                                                 settings):
    client = api_client(instructor)
    client.raise_request_exception = False
    settings.CERTEXCEPTIONS_MAX_UPLOAD_BYTES, settings.CERTEXCEPTIONS_MAX_ROWS = 1500, 8
    before = written()
    response = client.post(reverse(name, kwargs={"course_id": str(course.id)}), {"file": csv_file(data)},
                           format="multipart")
    assert response.status_code in (200, 400, 413), response.content
    body = response.json()
    if response.status_code == 200:
        assert body["summary"]["rows"] == len(body["rows"])
    else:
        assert body["error_code"] in FILE_ERRORS and body["message"]
        assert written() == before
