"""
Failures a test asks the fake LMS for, raised where the real LMS raises them.

``fail(point, key, error)`` makes the fake raise ``error`` when it reaches ``point`` for ``key`` (a user id, or a
lower-cased email for ``enroll_email``). The points, each at the place of the LMS code that can raise there:

* ``CourseEnrollment.enroll`` (user id): the ``CourseEnrollmentStarted`` filter that starts every enrolment; a
  pipeline step's ``PreventEnrollment`` reaches the caller as ``EnrollmentNotAllowed``
  (common/djangoapps/student/models/course_enrollment.py). Raised before anything is written.
* ``enroll_email`` (email): after the invitation row is written, where the LMS sends the invitation email.
* ``create_or_update_certificate_allowlist_entry`` (user id): after the entry is written, where the LMS's
  ``post_save`` receiver queues certificate generation (lms/djangoapps/certificates/signals.py).
* ``remove_allowlist_entry`` (user id): after the learner's certificate is invalidated, before the entry is
  deleted.

Other failures need no planning: an account without a ``UserProfile`` fails wherever the LMS reads
``user.profile``, and an email shared by two accounts fails ``enroll_email`` with ``MultipleObjectsReturned``.
The contract suite clears the plan after every test.
"""
POINTS = frozenset({
    "CourseEnrollment.enroll", "enroll_email", "create_or_update_certificate_allowlist_entry",
    "remove_allowlist_entry",
})

_planned: dict[tuple[str, object], BaseException] = {}


def fail(point: str, key, error: BaseException) -> None:
    if point not in POINTS:
        raise ValueError(f"unknown fault point {point!r}; known: {sorted(POINTS)}")
    _planned[(point, key)] = error


def check(point: str, key) -> None:
    """Raise what a test planned for ``point`` and ``key``, if anything."""
    error = _planned.get((point, key))
    if error is not None:
        raise error


def clear() -> None:
    _planned.clear()
