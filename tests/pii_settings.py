"""
Settings for the PII annotation check (``make pii-check``): the plugin and the Django apps its models refer to, as
an LMS installs them, without the standalone host's stand-in tables or the fake LMS, which are no part of what the
plugin adds to an LMS. The check only introspects the models; it uses no database.
"""
from edx_django_utils.plugins import add_plugins, get_plugin_apps

SECRET_KEY = "pii-check-only"
USE_TZ = True
# As lms/envs/common.py adds plugins: every installed lms.djangoapp plugin (this one).
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", *get_plugin_apps("lms.djangoapp")]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

add_plugins(__name__, "lms.djangoapp", "common")
