"""Request and response shapes of the join-code endpoints."""
import re

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from certexceptions_plugin.join_codes.services import ALREADY_ENROLLED, COURSE_STAFF, ENROLLED, STATUSES
from certexceptions_plugin.rest import ClosedSerializer, StrictBooleanField, StrictCharField, StrictIntegerField


class JoinCodeSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A course's join code (from ``services.JoinCodeInfo``)."""

    code = serializers.CharField(help_text="CDDD-CDDD, e.g. B123-C456.")
    join_url = serializers.CharField(help_text="Where the code takes people (CERTEXCEPTIONS_JOIN_URL_TEMPLATE).")
    is_active = serializers.BooleanField()
    is_usable = serializers.BooleanField(help_text="Active and not expired: learners can look the code up.")
    allowed_email_domains = serializers.ListField(child=serializers.CharField())
    expires_at = serializers.DateTimeField(allow_null=True)
    max_enrollments = serializers.IntegerField(allow_null=True)
    join_count = serializers.IntegerField(help_text="Enrolments made through the code.")
    created = serializers.DateTimeField()
    regenerated_at = serializers.DateTimeField(allow_null=True)


#: A domain name as Django's ``DomainNameValidator(accept_idna=False)`` takes it (labels of letters, digits and inner
#: hyphens, a top-level label of at least two, an optional final dot), without its look-arounds, so that the schema
#: carries it too.
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
DOMAIN_PATTERN = rf"{_LABEL}(?:\.{_LABEL})*\.[a-zA-Z0-9][a-zA-Z0-9-]{{0,61}}[a-zA-Z0-9]\.?"
#: The most allowed email domains a code may have; a domain name has at most 253 characters.
MAX_ALLOWED_DOMAINS, MAX_DOMAIN_LENGTH = 100, 253


@extend_schema_field({"type": "string", "pattern": f"^ *{DOMAIN_PATTERN} *$", "maxLength": MAX_DOMAIN_LENGTH,
                      "example": "example.edu"})
class EmailDomainField(StrictCharField):
    """``example.edu``, stored lower-cased and without the spaces around it: no ``@``, no scheme."""

    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_DOMAIN_LENGTH, trim_whitespace=False, **kwargs)

    def to_internal_value(self, data):
        domain = super().to_internal_value(data).strip(" ")
        if not re.fullmatch(DOMAIN_PATTERN, domain):
            # The value is not echoed: it may hold characters a JSON response cannot carry.
            raise serializers.ValidationError(_("Each allowed email domain must look like example.edu."))
        return domain.lower()


class JoinCodeUpdateSerializer(ClosedSerializer):  # pylint: disable=abstract-method
    """A PATCH: any of the fields; an omitted field keeps its value."""

    is_active = StrictBooleanField(required=False)
    allowed_email_domains = serializers.ListField(
        child=EmailDomainField(), required=False, allow_empty=True, max_length=MAX_ALLOWED_DOMAINS,
        help_text="Email domains a learner's address must have (exact, case-insensitive); [] for any.")
    expires_at = serializers.DateTimeField(required=False, allow_null=True,
                                           help_text="After this the code stops working (a time already past ends "
                                                     "it at once); null for never.")
    max_enrollments = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1,
                                         help_text="Most enrolments through the code; null for no limit.")

    def validate_allowed_email_domains(self, value):
        return list(dict.fromkeys(value))


class CourseSummarySerializer(serializers.Serializer):  # pylint: disable=abstract-method
    id = serializers.CharField(source="key")
    display_name = serializers.CharField()
    org = serializers.CharField()


class LookupSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """What a code means for the caller (from ``services.LookupResult``)."""

    status = serializers.ChoiceField(choices=STATUSES)
    code = serializers.CharField(help_text="The code in its canonical form.")
    course = CourseSummarySerializer()
    email_domain_restricted = serializers.BooleanField()


JOIN_RESULT_STATUSES = (ENROLLED, ALREADY_ENROLLED, COURSE_STAFF)


class JoinResultSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    status = serializers.ChoiceField(choices=JOIN_RESULT_STATUSES)
    redirect_url = serializers.CharField(help_text="The course's home page.")
