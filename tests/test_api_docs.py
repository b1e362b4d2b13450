"""The API docs work with no network: Swagger UI and ReDoc, and everything their pages load, come from the host."""
import codecs
import re

import pytest

pytestmark = pytest.mark.django_db  # ATOMIC_REQUESTS: every request opens a transaction

#: Every URL a page loads: scripts, styles, icons, and the schema it renders.
ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']"""  # script, stylesheet, icon
                   r"""|\burl:\s*"([^"]+)"|spec-url=["']([^"']+)["']|Redoc\.init\("([^"]+)\"""")  # the schema


def loaded_urls(html: str) -> list[str]:
    """The URLs, with JavaScript's escapes (``escapejs`` writes ``-`` as ``\\u002D``) decoded."""
    return [codecs.decode(next(group for group in match if group), "unicode_escape") for match in ASSET.findall(html)]


@pytest.mark.parametrize("page", ["/api-docs/", "/api-docs/redoc/"])
def test_docs_page_loads_only_what_the_host_serves(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    urls = loaded_urls(html)
    assert len(urls) >= 2, html  # the viewer's script and the schema at least
    assert not [url for url in urls if not url.startswith("/")], "assets from another host"
    assert not re.search(r"https?://|//[a-z]", html.replace("http://www.w3.org", "")), "a URL of another host"
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert b"".join(asset.streaming_content if asset.streaming else [asset.content]), url


def test_swagger_ui_never_calls_the_online_validator(client):
    assert '"validatorUrl": null' in client.get("/api-docs/").content.decode()
