"""The demo: a fixed, idempotent seed, and JWTs for its users."""
from __future__ import annotations

import json
import time

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
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


@transaction.atomic
def seed() -> None:
    """Create the demo data the README describes; running it again changes nothing."""
    User = get_user_model()
    models.Course.objects.get_or_create(id=DEMO_COURSE, defaults={"display_name": "Certificates 101", "org": "DemoX"})
    models.Course.objects.get_or_create(id=OTHER_COURSE, defaults={"display_name": "Other Course", "org": "DemoX"})

    def user(username, **extra):
        account, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com", **extra})
        if created:
            account.set_password(DEMO_PASSWORD)
            account.save()
        return account

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
