"""Fake of ``lms.djangoapps.certificates.api``: the allowlist functions other LMS apps are meant to call."""
from tests.openedx_fakes import faults
from tests.openedx_fakes.models import CertificateAllowlist, GeneratedCertificate

__all__ = [
    "create_or_update_certificate_allowlist_entry",
    "get_allowlist_entry",
    "get_certificate_for_user",
    "is_on_allowlist",
    "remove_allowlist_entry",
]


def create_or_update_certificate_allowlist_entry(user, course_key, notes, enabled=True):
    """Create or update (notes, re-enable) the entry; no enrolment or invalidation checks, as in the LMS."""
    entry = CertificateAllowlist.objects.update_or_create(
        user=user, course_id=course_key, defaults={"allowlist": enabled, "notes": notes}
    )
    # Where the LMS's post_save receivers on CertificateAllowlist queue certificate generation
    # (lms/djangoapps/certificates/signals.py).
    faults.check("create_or_update_certificate_allowlist_entry", user.id)
    return entry


def get_allowlist_entry(user, course_key):
    return CertificateAllowlist.objects.filter(user=user, course_id=course_key).first()


def is_on_allowlist(user, course_key):
    return CertificateAllowlist.objects.filter(user=user, course_id=course_key, allowlist=True).exists()


def get_certificate_for_user(username, course_key, format_results=True):
    certificate = GeneratedCertificate.objects.filter(user__username=username, course_id=course_key).first()
    if certificate is None or not format_results:
        return certificate
    return {"username": username, "course_key": course_key, "status": certificate.status}


def remove_allowlist_entry(user, course_key):
    """Delete the entry (invalidating the learner's certificate first); ``False`` when there was none."""
    allowlist_entry = get_allowlist_entry(user, course_key)
    if not allowlist_entry:
        return False
    certificate = get_certificate_for_user(user.username, course_key, False)
    if certificate:
        certificate.invalidate(source="allowlist_removal")
    # Where invalidating the certificate (which saves it and emits CERTIFICATE_REVOKED in the LMS) can raise.
    faults.check("remove_allowlist_entry", user.id)
    allowlist_entry.delete()
    return True
