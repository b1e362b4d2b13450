"""
Forged JWTs are refused with 401 by real requests to the plugin's endpoints (the ``Authorization: JWT`` header,
never ``force_authenticate``); only tokens signed RS256 with the host's private key get in.
"""
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.checks import run_checks
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from jwt.utils import base64url_encode
from rest_framework.test import APIClient

from certexceptions_plugin.join_codes.models import JoinCode
from certexceptions_plugin.standalone import demo, jwt_keys
from tests.factories import UserFactory

CODE = "B123-C456"


@pytest.fixture
def endpoints(course, instructor):
    """A staff read, a staff write and a learner write of the plugin, each answering 200 to a valid token."""
    JoinCode.objects.create(course_key=course.id, code=CODE)
    learner = UserFactory(username="pupil")
    return [
        (instructor, "get", reverse("audit_events", kwargs={"course_id": str(course.id)})),
        (instructor, "patch", reverse("course_join_code", kwargs={"course_id": str(course.id)})),
        (learner, "post", reverse("course_join", kwargs={"code": CODE})),
    ]


def call(method, url, token=None, client=None):
    client = client or APIClient()
    headers = {"HTTP_AUTHORIZATION": f"JWT {token}"} if token else {}
    if method == "patch":
        return client.patch(url, {"is_active": True}, format="json", **headers)
    return getattr(client, method)(url, **headers)


def claims(user, **changes):
    """What the LMS puts in a token for ``user``, claiming global staff, with ``changes``."""
    now = int(time.time())
    return {
        "iss": settings.JWT_AUTH["JWT_ISSUER"], "aud": settings.JWT_AUTH["JWT_AUDIENCE"],
        "iat": now, "exp": now + 600, "preferred_username": user.username, "email": user.email,
        "user_id": user.id, "administrator": True, "version": "1.1.0", "scopes": [], "filters": [],
        "is_restricted": False, **changes,
    }


def rs256(payload, private_jwk=None):
    """Signed with the host's private key, or with ``private_jwk`` (a JSON JWK)."""
    key = jwt.PyJWK(json.loads(private_jwk or settings.JWT_AUTH["JWT_PRIVATE_SIGNING_JWK"]), "RS256")
    return jwt.encode(payload, key.key, algorithm="RS256", headers={"kid": key.key_id})


def hs256(payload, secret: bytes) -> str:
    """HMAC-signed by hand: PyJWT refuses a public key as an HMAC secret, which is exactly the attack."""
    header = base64url_encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = base64url_encode(json.dumps(payload).encode())
    mac = hmac.HMAC(secret, hashes.SHA256())
    mac.update(header + b"." + body)
    return (header + b"." + body + b"." + base64url_encode(mac.finalize())).decode()


def unsigned(payload) -> str:
    return jwt.encode(payload, None, algorithm="none")


def published_public_key_pem() -> bytes:
    key = jwt.PyJWKSet.from_json(settings.JWT_AUTH["JWT_PUBLIC_SIGNING_JWK_SET"]).keys[0].key
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def another_private_jwk() -> str:
    """A key pair of the attacker's, under the host's key id."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return json.dumps({**jwt.algorithms.RSAAlgorithm.to_jwk(key, as_dict=True), "kid": jwt_keys.KEY_ID})


FORGERIES = {
    "alg_none": lambda user: unsigned(claims(user)),
    "wrong_hmac_key": lambda user: hs256(claims(user), b"a-guessed-secret"),
    "hmac_with_django_secret_key": lambda user: hs256(claims(user), settings.SECRET_KEY.encode()),
    "hmac_with_public_key_pem": lambda user: hs256(claims(user), published_public_key_pem()),
    "hmac_with_published_jwk_set": lambda user: hs256(
        claims(user), settings.JWT_AUTH["JWT_PUBLIC_SIGNING_JWK_SET"].encode()),
    "rs256_with_another_key": lambda user: rs256(claims(user), another_private_jwk()),
    "expired": lambda user: rs256(claims(user, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)),
    "wrong_audience": lambda user: rs256(claims(user, aud="another-service")),
    "wrong_issuer": lambda user: rs256(claims(user, iss="https://attacker.example/oauth2")),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_forged_tokens_are_refused(endpoints, forgery):
    for user, method, url in endpoints:
        response = call(method, url, FORGERIES[forgery](user))
        assert response.status_code == 401, (forgery, url, response.content)
        assert response.json()["error_code"] == "authentication_failed"


def test_tokens_signed_by_the_host_work(endpoints):
    for user, method, url in endpoints:
        response = call(method, url, demo.token(user.username))
        assert response.status_code == 200, (url, response.content)


def test_a_forged_administrator_claim_changes_nothing(endpoints, instructor):
    call("get", endpoints[0][2], unsigned(claims(instructor)))
    instructor.refresh_from_db()
    assert not instructor.is_staff


def test_demo_tokens_are_rs256_with_the_published_key(instructor):
    token = demo.token(instructor.username)
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT", "kid": jwt_keys.KEY_ID}
    public_key = jwt.PyJWKSet.from_json(settings.JWT_AUTH["JWT_PUBLIC_SIGNING_JWK_SET"])[jwt_keys.KEY_ID].key
    decoded = jwt.decode(token, public_key, algorithms=["RS256"], audience=settings.JWT_AUTH["JWT_AUDIENCE"])
    assert decoded["preferred_username"] == instructor.username


def test_the_published_key_set_holds_no_private_part():
    (key,) = json.loads(settings.JWT_AUTH["JWT_PUBLIC_SIGNING_JWK_SET"])["keys"]
    assert set(key) == {"kid", "kty", "e", "n"}
    assert not [issuer for issuer in settings.JWT_AUTH["JWT_ISSUERS"] if issuer.get("SECRET_KEY")]


def test_the_key_pair_is_made_once_and_kept_private(tmp_path):
    path = tmp_path / "demo.jwk.json"
    first = jwt_keys.private_jwk(path)
    assert jwt_keys.private_jwk(path) == first
    assert json.loads(first)["d"] and path.stat().st_mode & 0o077 == 0
    assert list(tmp_path.iterdir()) == [path]


# Without a public key set, edx-drf-extensions would accept any token: the plugin refuses them all instead.
NO_KEYS = [None, "", '{"keys": []}', "not a JWK set"]


def without_keys(key_set):
    return override_settings(JWT_AUTH={**settings.JWT_AUTH, "JWT_PUBLIC_SIGNING_JWK_SET": key_set})


@pytest.mark.parametrize("key_set", NO_KEYS)
def test_without_public_keys_every_jwt_is_refused(endpoints, key_set):
    with without_keys(key_set):
        for user, method, url in endpoints:
            for token in (demo.token(user.username), unsigned(claims(user))):
                assert call(method, url, token).status_code == 401, (key_set, url)


def test_without_public_keys_sessions_still_work(endpoints):
    client = APIClient()
    user, method, url = endpoints[0]
    client.force_login(user)
    with without_keys(None):
        assert call(method, url, client=client).status_code == 200


def test_without_a_key_set_entry_every_jwt_is_refused(endpoints):
    jwt_auth = {name: value for name, value in settings.JWT_AUTH.items() if name != "JWT_PUBLIC_SIGNING_JWK_SET"}
    user, method, url = endpoints[0]
    with override_settings(JWT_AUTH=jwt_auth):
        assert call(method, url, unsigned(claims(user))).status_code == 401


def w002():
    return [message for message in run_checks() if message.id == "certexceptions_plugin.W002"]


@pytest.mark.parametrize("key_set", NO_KEYS)
def test_check_w002_tells_the_operator(key_set, capsys):
    with without_keys(key_set):
        (warning,) = w002()
        assert "refuse every JWT" in warning.msg
        call_command("check")
    assert "certexceptions_plugin.W002" in capsys.readouterr().err


def test_check_w002_is_quiet_with_a_key_set():
    assert not w002()
