"""URLs of the invitation and external-id endpoints."""
from django.urls import re_path

from certexceptions_plugin.invitations import views
from certexceptions_plugin.rest import COURSE_ID_PATTERN

COURSE = rf"^api/instructor/v2/courses/{COURSE_ID_PATTERN}"

urlpatterns = [
    re_path(rf"{COURSE}/invitations/bulk$", views.InvitationImportView.as_view(), name="bulk_invitations"),
    re_path(rf"{COURSE}/invitations/bulk/template\.csv$", views.InvitationTemplateView.as_view(),
            name="bulk_invitations_template"),
    re_path(rf"{COURSE}/external_ids$", views.ExternalIdsView.as_view(), name="external_ids"),
    re_path(rf"{COURSE}/external_ids\.csv$", views.ExternalIdsCsvView.as_view(), name="external_ids_csv"),
]
