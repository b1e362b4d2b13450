"""Where each learner first appears in a file, kept compactly across chunks."""
from hypothesis import given
from hypothesis import strategies as st

from certexceptions_plugin.bulk.reader import CsvRow
from certexceptions_plugin.certificates.importer import CertificateExceptionImporter, FirstRows

user_ids = st.integers(min_value=1, max_value=2**31 - 1)


@given(st.lists(st.tuples(st.sampled_from([1, 2, 3, 2**31 - 1]) | user_ids, st.integers(1, 2**32 - 1)),
                max_size=60),
       st.integers(min_value=1, max_value=8))
def test_first_rows_answers_as_a_dict_of_first_appearances(appearances, buffer):
    first_rows, expected = FirstRows(buffer=buffer), {}
    for user_id, row in appearances:
        assert first_rows.get(user_id) == expected.get(user_id)
        if user_id not in expected:
            first_rows.add(user_id, row)
            expected[user_id] = row
    for user_id, row in expected.items():
        assert first_rows.get(user_id) == row


def test_a_duplicate_names_the_first_row_after_the_learner_was_folded(course, enrolled_learners):
    importer = CertificateExceptionImporter(course_key=course.id, actor=None)
    importer.first_rows = FirstRows(buffer=1)
    first, *others = enrolled_learners
    importer.plan([CsvRow(2, (first.username, "")), *(CsvRow(3 + n, (user.username, "")) for n, user in
                                                     enumerate(others))])
    [again] = importer.plan([CsvRow(99, (first.email, ""))])
    assert again.reason == "duplicate_in_file"
    assert "row 2" in again.message
