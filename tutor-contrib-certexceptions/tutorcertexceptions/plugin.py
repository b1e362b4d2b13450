"""
Tutor plugin of certexceptions_plugin: installs the plugin in the ``openedx`` image and sets, in the LMS settings,
what an operator decides, from Tutor configuration values (``tutor config save --set CERTEXCEPTIONS_...``).
"""
from __future__ import annotations

from tutor import hooks

from tutorcertexceptions import __version__

#: Tutor configuration values (``CERTEXCEPTIONS_`` + name) and their defaults.
CONFIG_DEFAULTS = {
    # What the image's `pip install` installs: this plugin's release on PyPI, or a git URL or path for a fork.
    "PIP_REQUIREMENT": f"certexceptions-plugin=={__version__}",
    # Where a join code sends people (its join_url and QR code): {lms_root}, {code} and {course_id} are filled in.
    "JOIN_URL_TEMPLATE": "{lms_root}/courses/join/{code}",
    # The LMS's CLOSEST_CLIENT_IP_FROM_HEADERS (edx-django-utils; LMS-wide), which the join-code rate limit per
    # client IP relies on. Tutor's Caddy appends the address it is reached from to X-Forwarded-For, so the last
    # entry is the client's while Caddy is the outermost proxy; behind another proxy, count that one too (-2).
    "CLIENT_IP_HEADERS": [{"name": "X-Forwarded-For", "index": -1}],
}

#: The marker comment above what the plugin adds to each template.
MARKER = "# certexceptions_plugin (tutor-contrib-certexceptions)"

hooks.Filters.CONFIG_DEFAULTS.add_items([(f"CERTEXCEPTIONS_{name}", value) for name, value in CONFIG_DEFAULTS.items()])

hooks.Filters.ENV_PATCHES.add_items([
    # Right before Tutor's own `pip install` of each OPENEDX_EXTRA_PIP_REQUIREMENTS entry, the same command: unlike a
    # default for that list, it still installs the plugin when config.yml has a list of its own.
    ("openedx-dockerfile-post-python-requirements", f"""{MARKER}
RUN --mount=type=cache,target=/openedx/.cache/pip,sharing=shared \\
    $PIP_COMMAND install '{{{{ CERTEXCEPTIONS_PIP_REQUIREMENT }}}}'
"""),
    # Python literals: JSON strings, lists and objects are valid Python.
    ("openedx-lms-common-settings", f"""{MARKER}
CERTEXCEPTIONS_JOIN_URL_TEMPLATE = {{{{ CERTEXCEPTIONS_JOIN_URL_TEMPLATE|tojson }}}}
CLOSEST_CLIENT_IP_FROM_HEADERS = {{{{ CERTEXCEPTIONS_CLIENT_IP_HEADERS|tojson }}}}
"""),
])


@hooks.Filters.IMAGES_BUILD_REQUIRED.add()
def _build_openedx_on_launch(image_names: list[str], context_name: str) -> list[str]:
    """``tutor local launch`` builds the ``openedx`` image, so that the plugin is in it."""
    if context_name == "local":
        image_names.append("openedx")
    return image_names
