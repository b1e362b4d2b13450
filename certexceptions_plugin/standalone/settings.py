"""
Settings of the standalone host: the LMS stand-in, with the plugin found and configured as ``lms/envs/common.py``
finds and configures plugins (``get_plugin_apps`` / ``add_plugins`` over the ``lms.djangoapp`` entry points).

Environment: ``CERTEXCEPTIONS_HOME``, ``CERTEXCEPTIONS_DB`` and ``CERTEXCEPTIONS_PORT`` (see :mod:`.location`),
``CERTEXCEPTIONS_DEBUG`` (``1``: Django's DEBUG), ``CERTEXCEPTIONS_SECRET_KEY``, ``CERTEXCEPTIONS_TEST_DB``
(``mysql`` / ``postgres`` to run on the local MariaDB / PostgreSQL), ``CERTEXCEPTIONS_CELERY_BROKER`` (a broker URL;
without one tasks run eagerly), ``CERTEXCEPTIONS_CACHE_URL`` (the Redis cache web and worker share when there is a
broker; by default the broker's Redis, next database index). The JWT signing key pair is made on first use, beside
the SQLite file (``demo.jwk.json`` next to ``demo.sqlite3``).
"""
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured
from edx_django_utils.plugins import add_plugins, get_plugin_apps

from certexceptions_plugin import __version__
from certexceptions_plugin.standalone import jwt_keys, location

#: edx-platform's ``ProjectType.LMS``: the entry-point group the LMS loads plugins from.
LMS = "lms.djangoapp"

BASE_DIR = location.home()
DEBUG = os.environ.get("CERTEXCEPTIONS_DEBUG", "") == "1"
SECRET_KEY = os.environ.get("CERTEXCEPTIONS_SECRET_KEY", "standalone-demo-secret-key-not-for-production")
ALLOWED_HOSTS = [location.HOST, "localhost", "testserver"]
ROOT_URLCONF = "certexceptions_plugin.standalone.urls"
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en"
STATIC_URL = "/static/"
MEDIA_ROOT = str(BASE_DIR / "demo-media")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LMS_ROOT_URL = location.lms_root_url()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc, served from the package: the API docs work offline
    # The LMS's own apps: the stand-in tables and the stand-in of core's instructor app (its v2 routes).
    "certexceptions_plugin.standalone.apps.StandaloneConfig",
    "certexceptions_plugin.standalone.instructor.apps.StandInInstructorConfig",
]
# As lms/envs/common.py: every installed lms.djangoapp plugin, this one included.
INSTALLED_APPS.extend(get_plugin_apps(LMS))

MIDDLEWARE = [
    "certexceptions_plugin.standalone.middleware.DropForwardedFor",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # As in the LMS's MIDDLEWARE: the current request for code given no request (the dashboard's filter steps).
    "crum.CurrentRequestUserMiddleware",
]
# The LMS's sign-in page; after signing in, the demo course's instructor dashboard.
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/courses/course-v1:DemoX+CE101+2026/instructor"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]


def _databases():
    """The database, with ``ATOMIC_REQUESTS`` on as Tutor's LMS settings set it."""
    return {"default": {**_database(), "ATOMIC_REQUESTS": True}}


def _database():
    engine = os.environ.get("CERTEXCEPTIONS_TEST_DB", "sqlite")
    if engine == "mysql":
        return {
            "ENGINE": "django.db.backends.mysql", "NAME": os.environ.get("MYSQL_DATABASE", "test"),
            "USER": "root", "PASSWORD": "", "HOST": "127.0.0.1", "PORT": "3306",
            "OPTIONS": {"charset": "utf8mb4"},
            "TEST": {"NAME": os.environ.get("MYSQL_TEST_NAME", "test_certexceptions"),
                     "CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    if engine == "postgres":
        return {
            "ENGINE": "django.db.backends.postgresql", "NAME": "test", "USER": "postgres",
            "HOST": "127.0.0.1", "PORT": "5432", "TEST": {"NAME": "test_certexceptions"},
        }
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(location.database()),
        # Concurrent writers wait their turn instead of failing with "database is locked": a transaction that
        # has read cannot wait for the write lock another one holds (SQLite fails it at once, to avoid a deadlock),
        # so every transaction takes the write lock as it begins, waiting up to `timeout` seconds for it.
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }


DATABASES = _databases()

_broker = os.environ.get("CERTEXCEPTIONS_CELERY_BROKER")  # lower case: not a setting itself


def _next_redis_db(url: str) -> str:
    """
    The broker's Redis, next database index, as Tutor lays out an LMS's Redis (tutor/templates/config/defaults.yml:
    OPENEDX_CELERY_REDIS_DB 0, OPENEDX_CACHE_REDIS_DB 1). Tests clear the cache (FLUSHDB): never the broker's DB.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ImproperlyConfigured(f"Set CERTEXCEPTIONS_CACHE_URL: no Redis cache follows from the broker {url!r}")
    index = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{index + 1}"))


def _caches():
    """
    The import lock lives in the default cache, so web and worker processes must share it once a worker runs
    imports: Redis, as in a Tutor LMS (Django's own ``RedisCache`` here). With no broker, tasks run in the web
    process and a local-memory cache will do.
    """
    if not _broker:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("CERTEXCEPTIONS_CACHE_URL") or _next_redis_db(_broker),
    }}


CACHES = _caches()


def _jwt_signing_key_file() -> Path:
    """Beside the SQLite database, or in BASE_DIR when the database is a server."""
    database = DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return Path(database["NAME"]).with_suffix(".jwk.json")
    return BASE_DIR / "standalone.jwk.json"


# The same authentication the LMS uses: edx-drf-extensions JWTs and sessions. JWTs are RS256, signed with this
# host's private key and verified against its published public key, as the LMS issues them (openedx/envs/common.py
# JWT_AUTH; openedx/core/djangoapps/oauth_dispatch/jwt.py _encode_and_sign).
_JWT_ISSUER = f"{LMS_ROOT_URL}/oauth2"  # as Tutor sets it: JWT_COMMON_ISSUER
_JWT_AUDIENCE = "certexceptions-demo"
_JWT_PRIVATE_SIGNING_JWK = jwt_keys.private_jwk(_jwt_signing_key_file())
JWT_AUTH = {
    "JWT_ISSUER": _JWT_ISSUER,
    "JWT_AUDIENCE": _JWT_AUDIENCE,
    "JWT_VERIFY_AUDIENCE": True,
    "JWT_DECODE_HANDLER": "edx_rest_framework_extensions.auth.jwt.decoder.jwt_decode_handler",
    "JWT_AUTH_HEADER_PREFIX": "JWT",
    "JWT_SIGNING_ALGORITHM": "RS256",
    "JWT_PRIVATE_SIGNING_JWK": _JWT_PRIVATE_SIGNING_JWK,
    "JWT_PUBLIC_SIGNING_JWK_SET": jwt_keys.public_jwk_set(_JWT_PRIVATE_SIGNING_JWK),
    # No symmetric SECRET_KEY: edx-drf-extensions' decoder would also accept HS256 tokens signed with it.
    "JWT_ISSUERS": [{"ISSUER": _JWT_ISSUER, "AUDIENCE": _JWT_AUDIENCE, "SECRET_KEY": None}],
}
# As in the LMS (openedx/envs/common.py): claims in a JWT never change the user row (`administrator`, `email`).
EDX_DRF_EXTENSIONS = {"JWT_PAYLOAD_USER_ATTRIBUTE_MAPPING": {}}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ("rest_framework.renderers.JSONRenderer",),
    "DEFAULT_PAGINATION_CLASS": "edx_rest_framework_extensions.paginators.DefaultPagination",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "certexceptions_plugin",
    "DESCRIPTION": "Bulk certificate exceptions, external-id bulk invites and course join codes.",
    "VERSION": __version__,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,  # the schema describes the plugin, not the docs' own endpoint
    # Never send the schema to the online validator at swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Several responses have a "status" field with its own choices; name each enum after what it describes.
    "ENUM_NAME_OVERRIDES": {
        "JoinCodeLookupStatusEnum": "certexceptions_plugin.join_codes.services.STATUSES",
        "JoinResultStatusEnum": "certexceptions_plugin.join_codes.serializers.JOIN_RESULT_STATUSES",
        "ExternalIdStatusEnum": "certexceptions_plugin.invitations.serializers.EXTERNAL_ID_STATUSES",
        "CertificateExceptionOutcomeEnum": "certexceptions_plugin.certificates.importer.Outcome.choices",
        "CertificateExceptionReasonEnum": "certexceptions_plugin.certificates.importer.Reason.choices",
        "InvitationOutcomeEnum": "certexceptions_plugin.invitations.importer.Outcome.choices",
        "InvitationReasonEnum": "certexceptions_plugin.invitations.importer.Reason.choices",
    },
}

# Celery reads Django's settings with no namespace, as the LMS's app does (standalone/celery.py), so these are the
# LMS's names: lms/envs/production.py builds BROKER_URL, openedx/envs/test.py sets CELERY_ALWAYS_EAGER.
BROKER_URL = _broker or "memory://"
CELERY_ALWAYS_EAGER = not _broker
CELERY_EAGER_PROPAGATES_EXCEPTIONS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"certexceptions_plugin": {"handlers": ["console"], "level": "INFO"}},
}

CERTEXCEPTIONS_HOST = "certexceptions_plugin.standalone.host.StandaloneHost"
# No proxy stands in front of the standalone host: it trusts no forwarding header (DropForwardedFor), so the client
# IP is REMOTE_ADDR and check W003 does not apply.
CLOSEST_CLIENT_IP_FROM_HEADERS = []
SILENCED_SYSTEM_CHECKS = ["certexceptions_plugin.W003"]

# As lms/envs/common.py and then lms/envs/production.py: each plugin's settings, with this module as the settings.
add_plugins(__name__, LMS, "common")
add_plugins(__name__, LMS, "production")
