"""REST views for bulk certificate exceptions."""
from certexceptions_plugin.bulk.views import ImportTemplateView, ImportView
from certexceptions_plugin.certificates.imports import CERTIFICATE_EXCEPTIONS


class CertificateExceptionImportView(ImportView):
    """Grant or remove certificate exceptions for every learner in a CSV of ``username_or_email[,notes]``."""

    kind = CERTIFICATE_EXCEPTIONS


class CertificateExceptionTemplateView(ImportTemplateView):
    """A CSV template for the certificate-exception import."""

    kind = CERTIFICATE_EXCEPTIONS
