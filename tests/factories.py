"""factory_boy factories for users and the standalone host's LMS models."""
import factory
from django.contrib.auth import get_user_model
from opaque_keys.edx.keys import CourseKey

from certexceptions_plugin.standalone import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    is_active = True


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Course
        django_get_or_create = ("id",)

    id = factory.Sequence(lambda n: CourseKey.from_string(f"course-v1:TestX+C{n}+2026"))
    display_name = factory.Sequence(lambda n: f"Test course {n}")
    org = "TestX"


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CourseEnrollment

    user = factory.SubFactory(UserFactory)
    course_id = factory.LazyFunction(lambda: CourseFactory().id)
    is_active = True


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CourseAccessRole

    user = factory.SubFactory(UserFactory)
    course_id = factory.LazyFunction(lambda: CourseFactory().id)
    org = "TestX"
    role = "staff"


class AllowlistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CertificateAllowlist

    user = factory.SubFactory(UserFactory)
    course_id = factory.LazyFunction(lambda: CourseFactory().id)
    allowlist = True
    notes = ""


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.GeneratedCertificate

    user = factory.SubFactory(UserFactory)
    course_id = factory.LazyFunction(lambda: CourseFactory().id)


class InvalidationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CertificateInvalidation

    generated_certificate = factory.SubFactory(CertificateFactory)
    invalidated_by = factory.SubFactory(UserFactory)
    active = True
