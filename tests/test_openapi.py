"""Every plugin endpoint is in the OpenAPI schema, which validates with no warnings."""
import re

import yaml
from django.core.management import call_command
from django.urls import URLResolver, get_resolver

from certexceptions_plugin.rest import not_found


def plugin_routes():
    """The plugin's URL regexes, turned into OpenAPI-style paths."""
    resolver = get_resolver("certexceptions_plugin.urls")

    def walk(patterns, prefix=""):
        for pattern in patterns:
            regex = prefix + pattern.pattern.regex.pattern.lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, regex)
            # REST views only (DRF's as_view() sets .cls): the JSON 404 of unknown paths and the HTML staff page
            # are no API endpoints.
            elif pattern.callback is not not_found and hasattr(pattern.callback, "cls"):
                yield regex

    for regex in walk(resolver.url_patterns):
        path = re.sub(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)", r"{\1}", regex.replace("^", ""))
        yield "/" + path.replace("\\.", ".")


def test_schema_lists_every_endpoint(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    paths = set(yaml.safe_load(target.read_text())["paths"])
    routes = set(plugin_routes())
    assert routes and routes <= paths, routes - paths


def test_every_error_response_is_typed(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"message", "error_code"}
    responses = {(path, method, status): response
                 for path, operations in schema["paths"].items() if path in set(plugin_routes())
                 for method, operation in operations.items()
                 for status, response in operation["responses"].items() if int(status) >= 400}
    assert responses
    untyped = [key for key, response in responses.items()
               if response["content"]["application/json"]["schema"] != {"$ref": "#/components/schemas/Error"}]
    assert not untyped
