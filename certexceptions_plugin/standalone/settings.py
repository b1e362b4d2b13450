"""
Settings of the standalone host: the plugin plus the LMS stand-in, on SQLite by default.

Environment: ``CERTEXCEPTIONS_DB`` (SQLite path), ``CERTEXCEPTIONS_TEST_DB`` (``mysql`` / ``postgres`` to run on
the local MariaDB / PostgreSQL), ``CERTEXCEPTIONS_CELERY_BROKER`` (a broker URL; without one tasks run eagerly).
The JWT signing key pair is made on first use, beside the SQLite file (``demo.jwk.json`` next to ``demo.sqlite3``).
"""
import os
from pathlib import Path

from certexceptions_plugin.settings.common import plugin_settings
from certexceptions_plugin.standalone import jwt_keys

BASE_DIR = Path(os.environ.get("CERTEXCEPTIONS_HOME", Path.cwd()))
DEBUG = os.environ.get("CERTEXCEPTIONS_DEBUG", "") == "1"
SECRET_KEY = os.environ.get("CERTEXCEPTIONS_SECRET_KEY", "standalone-demo-secret-key-not-for-production")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "certexceptions_plugin.standalone.urls"
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en"
STATIC_URL = "/static/"
MEDIA_ROOT = str(BASE_DIR / "demo-media")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LMS_ROOT_URL = "http://127.0.0.1:8000"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "certexceptions_plugin.apps.CertExceptionsPluginConfig",
    "certexceptions_plugin.standalone.apps.StandaloneConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

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
    engine = os.environ.get("CERTEXCEPTIONS_TEST_DB", "sqlite")
    if engine == "mysql":
        return {"default": {
            "ENGINE": "django.db.backends.mysql", "NAME": os.environ.get("MYSQL_DATABASE", "test"),
            "USER": "root", "PASSWORD": "", "HOST": "127.0.0.1", "PORT": "3306",
            "OPTIONS": {"charset": "utf8mb4"},
            "TEST": {"NAME": os.environ.get("MYSQL_TEST_NAME", "test_certexceptions"),
                     "CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }}
    if engine == "postgres":
        return {"default": {
            "ENGINE": "django.db.backends.postgresql", "NAME": "test", "USER": "postgres",
            "HOST": "127.0.0.1", "PORT": "5432", "TEST": {"NAME": "test_certexceptions"},
        }}
    return {"default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("CERTEXCEPTIONS_DB", str(BASE_DIR / "demo.sqlite3")),
        # Concurrent writers wait their turn instead of failing with "database is locked": a transaction that
        # has read cannot wait for the write lock another one holds (SQLite fails it at once, to avoid a deadlock),
        # so every transaction takes the write lock as it begins, waiting up to `timeout` seconds for it.
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }}


DATABASES = _databases()
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _jwt_signing_key_file() -> Path:
    """Beside the SQLite database, or in BASE_DIR when the database is a server."""
    database = DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return Path(database["NAME"]).with_suffix(".jwk.json")
    return BASE_DIR / "standalone.jwk.json"


# The same authentication the LMS uses: edx-drf-extensions JWTs and sessions. JWTs are RS256, signed with this
# host's private key and verified against its published public key, as the LMS issues them (openedx/envs/common.py
# JWT_AUTH; openedx/core/djangoapps/oauth_dispatch/jwt.py _encode_and_sign).
_JWT_ISSUER = "http://127.0.0.1:8000/oauth2"
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
    "VERSION": "0.1.0",
    # Several responses have a "status" field with its own choices; name each enum after what it describes.
    "ENUM_NAME_OVERRIDES": {
        "JoinCodeLookupStatusEnum": "certexceptions_plugin.join_codes.services.STATUSES",
        "JoinResultStatusEnum": "certexceptions_plugin.join_codes.serializers.JOIN_RESULT_STATUSES",
        "ExternalIdStatusEnum": "certexceptions_plugin.invitations.serializers.EXTERNAL_ID_STATUSES",
    },
}

CELERY_BROKER_URL = os.environ.get("CERTEXCEPTIONS_CELERY_BROKER", "memory://")
CELERY_TASK_ALWAYS_EAGER = "CERTEXCEPTIONS_CELERY_BROKER" not in os.environ
CELERY_TASK_EAGER_PROPAGATES = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"certexceptions_plugin": {"handlers": ["console"], "level": "INFO"}},
}

CERTEXCEPTIONS_HOST = "certexceptions_plugin.standalone.host.StandaloneHost"


class _Settings:  # plugin_settings takes a settings module; this module's globals stand in for it
    def __init__(self, namespace):
        self.__dict__ = namespace


plugin_settings(_Settings(globals()))
