"""The demo: a fixed, idempotent seed, JWTs for its users, and what it prints when it starts."""
from __future__ import annotations

import functools
import json
import time
from pathlib import Path

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from opaque_keys.edx.keys import CourseKey

from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.standalone import models

DEMO_COURSE = CourseKey.from_string("course-v1:DemoX+CE101+2026")
OTHER_COURSE = CourseKey.from_string("course-v1:DemoX+OTHER+2026")
DEMO_PASSWORD = "demo-password"
TOKEN_TTL_SECONDS = 24 * 60 * 60
#: External ids on CE101: two enrolled learners and one pending invitation (auto-enrolled on activation).
DEMO_EXTERNAL_IDS = {"learner1": "S0001", "learner2": "S0002"}
DEMO_INVITATION = ("newstudent@example.com", "S0100")
#: The README's demo commands, in order; written for the demo on port 8000 (the README shows them as they are).
WALKTHROUGH = Path(__file__).with_name("walkthrough.sh")
WALKTHROUGH_LMS = "LMS=http://127.0.0.1:8000"
#: The users the banner prints a JWT for: enough for every step of the walkthrough.
BANNER_USERS = ("instructor", "staff", "learner1", "learner51")


@transaction.atomic
def seed() -> None:
    """Create the demo data the README describes; running it again changes nothing."""
    User = get_user_model()
    # One hash for every demo account (they share the password): hashing it once per account would take a minute.
    password_hash = functools.cache(lambda: make_password(DEMO_PASSWORD))
    models.Course.objects.get_or_create(id=DEMO_COURSE, defaults={"display_name": "Certificates 101", "org": "DemoX"})
    models.Course.objects.get_or_create(id=OTHER_COURSE, defaults={"display_name": "Other Course", "org": "DemoX"})

    def user(username, **extra):
        defaults = {"email": f"{username}@example.com", "password": password_hash, **extra}
        return User.objects.get_or_create(username=username, defaults=defaults)[0]

    user("admin", is_staff=True, is_superuser=True)
    for username, role in (("instructor", "instructor"), ("staff", "staff")):
        models.CourseAccessRole.objects.get_or_create(
            user=user(username), org="DemoX", course_id=DEMO_COURSE, role=role)
    learners = {n: user(f"learner{n}") for n in range(1, 61)}
    for n in range(1, 51):
        models.CourseEnrollment.objects.get_or_create(user=learners[n], course_id=DEMO_COURSE)
    models.CourseEnrollment.objects.get_or_create(user=learners[55], course_id=OTHER_COURSE)
    models.CertificateAllowlist.objects.get_or_create(
        user=learners[3], course_id=DEMO_COURSE, defaults={"allowlist": True, "notes": "seeded"})
    certificate, _ = models.GeneratedCertificate.objects.get_or_create(user=learners[7], course_id=DEMO_COURSE)
    models.CertificateInvalidation.objects.get_or_create(
        generated_certificate=certificate, defaults={"invalidated_by": user("instructor"), "active": True})
    for username, external_id in DEMO_EXTERNAL_IDS.items():
        _seed_external_id(external_id, user=user(username), email=None)
    email, external_id = DEMO_INVITATION
    models.CourseEnrollmentAllowed.objects.get_or_create(email=email, course_id=DEMO_COURSE,
                                                         defaults={"auto_enroll": True})
    _seed_external_id(external_id, user=None, email=email)


def _seed_external_id(external_id: str, **owner) -> None:
    """Give the owner the id, unless the owner or the id is already in use (e.g. changed while trying the demo)."""
    records = ExternalId.objects.filter(course_key=DEMO_COURSE)
    owner_filter = {"user": owner["user"]} if owner["user"] else {"email": owner["email"]}
    if not records.filter(**owner_filter).exists() and not records.filter(external_id=external_id).exists():
        ExternalId.objects.create(course_key=DEMO_COURSE, external_id=external_id, **owner)


def token(username: str, ttl: int = TOKEN_TTL_SECONDS) -> str:
    """
    A JWT for ``username`` (demo only), as the LMS signs one: with ``JWT_PRIVATE_SIGNING_JWK`` and
    ``JWT_SIGNING_ALGORITHM``, its ``kid`` in the header (openedx/core/djangoapps/oauth_dispatch/jwt.py).
    """
    account = get_user_model().objects.get(username=username)
    jwt_auth = settings.JWT_AUTH
    algorithm = jwt_auth["JWT_SIGNING_ALGORITHM"]
    key = jwt.PyJWK(json.loads(jwt_auth["JWT_PRIVATE_SIGNING_JWK"]), algorithm)
    now = int(time.time())
    payload = {
        "iss": jwt_auth["JWT_ISSUER"], "aud": jwt_auth["JWT_AUDIENCE"], "iat": now, "exp": now + ttl,
        "preferred_username": account.username, "email": account.email, "user_id": account.id,
        "administrator": account.is_staff, "version": "1.1.0", "scopes": [], "filters": [], "is_restricted": False,
    }
    return jwt.encode(payload, key.key, algorithm=algorithm, headers={"kid": key.key_id})


def walkthrough(lms_root_url: str) -> str:
    """The README's demo commands, for a demo serving at ``lms_root_url``."""
    return WALKTHROUGH.read_text(encoding="utf-8").replace(WALKTHROUGH_LMS, f"LMS={lms_root_url}")


def banner(*, lms_root_url: str, database: str, command: str) -> str:
    """
    What ``serve`` prints before it serves: where, the demo users, a JWT for each of ``BANNER_USERS`` as shell
    ``export`` lines, and the walkthrough. ``command`` is how to run this command line again (with its ``--db``).
    """
    exports = [f"export TOKEN_{username.upper()}='{token(username)}'" for username in BANNER_USERS]
    return "\n".join([
        "",
        f"The demo serves {lms_root_url}/ (API docs at {lms_root_url}/api-docs/); its data is in {database}.",
        f"Users: admin (global staff), instructor and staff (of {DEMO_COURSE}), learner1 ... learner60; "
        f"password {DEMO_PASSWORD}. Start again from the seed: {command} reset",
        f"Instructor dashboard, Bulk tools tab: {lms_root_url}/courses/{DEMO_COURSE}/instructor "
        f"(sign in as instructor or staff, password {DEMO_PASSWORD})",
        "",
        f"JWTs, valid 24 hours (another: {command} token USERNAME):",
        *exports,
        "",
        "In a second shell, paste those export lines, then these commands (the README's, in order):",
        "",
        walkthrough(lms_root_url),
    ])
