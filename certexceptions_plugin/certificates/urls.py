"""URLs of the certificate-exception endpoints."""
from django.urls import re_path

from certexceptions_plugin.certificates import views
from certexceptions_plugin.rest import COURSE_ID_PATTERN

PREFIX = rf"^api/instructor/v2/courses/{COURSE_ID_PATTERN}/certificates/exceptions/bulk"

urlpatterns = [
    re_path(rf"{PREFIX}$", views.BulkCertificateExceptionsView.as_view(), name="bulk_certificate_exceptions"),
    re_path(rf"{PREFIX}/template\.csv$", views.BulkCertificateExceptionsTemplateView.as_view(),
            name="bulk_certificate_exceptions_template"),
]
