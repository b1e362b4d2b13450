"""
Root URLs of the standalone host, in the LMS's order (``lms/urls.py``): the host's own routes and core's instructor
API first, then every ``lms.djangoapp`` plugin's URLs from ``get_plugin_url_patterns``.
"""
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from edx_django_utils.plugins import get_plugin_url_patterns

from certexceptions_plugin.apps import LMS  # the project type, "lms.djangoapp"
from certexceptions_plugin.standalone import views
from certexceptions_plugin.standalone.demo import DEMO_PASSWORD

urlpatterns = [
    path("", views.index, name="index"),
    path("admin/", admin.site.urls),
    # The LMS's sign-in page is /login (LOGIN_URL); the demo's says which users and password it has.
    path("login", auth_views.LoginView.as_view(template_name="standalone/login.html",
                                               extra_context={"demo_password": DEMO_PASSWORD}), name="login"),
    path("logout", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    path("api-docs/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api-docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api-docs/redoc/", SpectacularRedocView.as_view(url_name="schema", template_name="standalone/redoc.html"),
         name="redoc"),
    # The API docs' scripts and styles (drf-spectacular-sidecar), served with DEBUG off too: the demo only ever
    # listens on 127.0.0.1.
    re_path(rf"^{settings.STATIC_URL.strip('/')}/(?P<path>.*)$", serve_static, {"insecure": True}),
    path("", include("certexceptions_plugin.standalone.instructor.urls")),
    *get_plugin_url_patterns(LMS),
]
