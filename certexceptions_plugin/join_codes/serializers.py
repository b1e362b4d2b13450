"""Request and response shapes of the join-code endpoints."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import DomainNameValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from certexceptions_plugin.join_codes.services import (
    ALREADY_ENROLLED,
    COURSE_STAFF,
    EDITABLE_FIELDS,
    ENROLLED,
    STATUSES,
)


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


class EmailDomainField(serializers.CharField):
    """``example.edu``: lower-cased, no ``@``, no scheme."""

    def to_internal_value(self, data):
        domain = super().to_internal_value(data).strip().lower()
        try:
            DomainNameValidator(accept_idna=False)(domain)
        except DjangoValidationError as exc:
            # The value is not echoed: it may hold characters a JSON response cannot carry.
            raise serializers.ValidationError(
                _("Each allowed email domain must look like example.edu.")) from exc
        return domain


class ExplicitNullDateTimeField(serializers.DateTimeField):
    """
    A nullable date-time that only ``null`` clears: DRF reads a blank form field as null, which would remove an
    expiry by accident (a multipart PATCH with ``expires_at=``); here a blank value is an invalid date.
    """

    def get_value(self, dictionary):
        value = super().get_value(dictionary)
        if value is None and dictionary.get(self.field_name) == "":
            return ""
        return value


#: The most allowed email domains a code may have; a domain name has at most 253 characters.
MAX_ALLOWED_DOMAINS, MAX_DOMAIN_LENGTH = 100, 253


class JoinCodeUpdateSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A PATCH: any of the fields; an omitted field keeps its value."""

    is_active = serializers.BooleanField(required=False)
    allowed_email_domains = serializers.ListField(
        child=EmailDomainField(max_length=MAX_DOMAIN_LENGTH), required=False, allow_empty=True,
        max_length=MAX_ALLOWED_DOMAINS,
        help_text="Email domains a learner's address must have (exact, case-insensitive); [] for any.")
    expires_at = ExplicitNullDateTimeField(required=False, allow_null=True,
                                           help_text="After this the code stops working; null for never.")
    max_enrollments = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1,
                                               help_text="Most enrolments through the code; null for no limit.")

    def validate_expires_at(self, value):
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError(_("The expiry must be in the future."))
        return value

    def validate_allowed_email_domains(self, value):
        return list(dict.fromkeys(value))

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(EDITABLE_FIELDS))
        if unknown:
            raise serializers.ValidationError(_("These fields cannot be changed: {fields}. Editable: {editable}.")
                                              .format(fields=", ".join(unknown), editable=", ".join(EDITABLE_FIELDS)))
        return attrs


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
