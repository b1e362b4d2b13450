"""Fake of ``lms.djangoapps.certificates.models``."""
from tests.openedx_fakes.models import CertificateAllowlist, CertificateInvalidation, GeneratedCertificate

__all__ = ["CertificateAllowlist", "CertificateInvalidation", "GeneratedCertificate"]
