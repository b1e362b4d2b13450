"""The standalone host's own page: ``GET /``, what the demo serves and how to call it."""
from django.shortcuts import render

from certexceptions_plugin.standalone import demo, location


def index(request):
    return render(request, "standalone/index.html", {
        "course_id": str(demo.DEMO_COURSE),
        "other_course_id": str(demo.OTHER_COURSE),
        "password": demo.DEMO_PASSWORD,
        "token_command": "python -m certexceptions_plugin.standalone token USERNAME" + (
            f" --port {location.port()}" if location.port() != location.DEFAULT_PORT else ""),
    })
