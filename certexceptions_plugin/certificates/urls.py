"""
URLs of the certificate-exception endpoints.

Core's instructor API v2 serves ``.../certificates/exceptions`` and ``.../certificates/exceptions/bulk`` (with other
rules: no ``action``, no dry run), so the plugin's import lives beside them at ``.../certificates/exceptions/imports``.
"""
from django.urls import re_path

from certexceptions_plugin.certificates import views
from certexceptions_plugin.rest import COURSE_ID_PATTERN

PREFIX = rf"^api/instructor/v2/courses/{COURSE_ID_PATTERN}/certificates/exceptions/imports"

urlpatterns = [
    re_path(rf"{PREFIX}$", views.CertificateExceptionImportView.as_view(), name="certificate_exception_imports"),
    re_path(rf"{PREFIX}/template\.csv$", views.CertificateExceptionTemplateView.as_view(),
            name="certificate_exception_imports_template"),
]
