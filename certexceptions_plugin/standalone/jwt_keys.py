"""
The standalone host's JWT signing key pair: an RSA private JWK in a file beside its database, made on first use.

The LMS keeps its pair in ``JWT_AUTH["JWT_PRIVATE_SIGNING_JWK"]`` and publishes the public half in
``JWT_AUTH["JWT_PUBLIC_SIGNING_JWK_SET"]`` (openedx/envs/common.py; Tutor generates the pair per site).
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY_ID = "certexceptions-standalone"
PUBLIC_MEMBERS = ("kid", "kty", "e", "n")


def private_jwk(path: Path) -> str:
    """The private JWK (JSON) stored at ``path``; the first call creates it."""
    if not path.exists():
        _create(path)
    return path.read_text(encoding="utf-8")


def public_jwk_set(private: str) -> str:
    """A JWK set (JSON) holding only the public half of the ``private`` JWK."""
    key = json.loads(private)
    return json.dumps({"keys": [{member: key[member] for member in PUBLIC_MEMBERS}]})


def _create(path: Path) -> None:
    """Write a new 2048-bit RSA key readable by its owner only; when two processes race, the first one wins."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = {**RSAAlgorithm.to_jwk(key, as_dict=True), "kid": KEY_ID}
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(jwk, file)
        try:
            os.link(temporary, path)  # never replaces a key another process has just written
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)
