"""
Join-code text: generation from a CSPRNG and normalisation of what people type.

A code is ``CDDD-CDDD``: a consonant and three digits, twice. The consonants leave out the vowels (no words) and
K, X and Z (commonly confused or offensive), which leaves 18; 18² × 1000² ≈ 3.2 × 10⁸ codes (about 28 bits).
"""
from __future__ import annotations

import re
import secrets

CONSONANTS = "BCDFGHJLMNPQRSTVWY"
DIGITS = "0123456789"
CODE_RE = re.compile(rf"^[{CONSONANTS}][0-9]{{3}}-[{CONSONANTS}][0-9]{{3}}$")
_COMPACT_RE = re.compile(rf"^([{CONSONANTS}][0-9]{{3}})([{CONSONANTS}][0-9]{{3}})$")
# Spaces and the separators people type between the halves: hyphens and dashes, underscores, dots.
_SEPARATORS_RE = re.compile(r"[\s\-\u2010-\u2015_.]")
# Longer input cannot be a code, however many separators it holds; no need to scan it.
_MAX_INPUT_LENGTH = 64


def _half() -> str:
    return secrets.choice(CONSONANTS) + "".join(secrets.choice(DIGITS) for _ in range(3))


def generate_code() -> str:
    """A new random code such as ``B123-C456``."""
    return f"{_half()}-{_half()}"


def normalize(text: str) -> str | None:
    """
    The canonical form of a typed code, or ``None`` when the text cannot be a code.

    Uppercases and drops spaces and separators, then re-inserts the hyphen: ``" c123 d456 "``, ``"C123D456"``,
    ``"c123_d456"`` and ``"C123–D456"`` are all ``"C123-D456"``; ``"A123-D456"`` (a vowel) is ``None``.
    """
    if not isinstance(text, str) or len(text) > _MAX_INPUT_LENGTH:
        return None
    match = _COMPACT_RE.match(_SEPARATORS_RE.sub("", text.upper()))
    return f"{match.group(1)}-{match.group(2)}" if match else None
