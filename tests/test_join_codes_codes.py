"""Join-code generation and normalisation."""
import re
import string

import pytest

from certexceptions_plugin.join_codes.codes import CONSONANTS, generate_code, normalize


class TestGenerate:

    def test_alphabet_has_no_vowels_nor_k_x_z(self):
        assert len(CONSONANTS) == 18 == len(set(CONSONANTS))
        assert set(CONSONANTS) == set(string.ascii_uppercase) - set("AEIOUKXZ")

    def test_format_over_many_samples(self):
        samples = [generate_code() for _ in range(5000)]
        pattern = re.compile(r"^[BCDFGHJLMNPQRSTVWY][0-9]{3}-[BCDFGHJLMNPQRSTVWY][0-9]{3}$")
        assert all(pattern.match(code) for code in samples), [c for c in samples if not pattern.match(c)][:5]
        # Every consonant and every digit turns up in each position: the draw covers the whole alphabet.
        assert {code[0] for code in samples} == {code[5] for code in samples} == set(CONSONANTS)
        for position in (1, 2, 3, 6, 7, 8):
            assert {code[position] for code in samples} == set(string.digits)
        # 3.2e8 possible codes: 5000 draws with more than a handful of repeats would mean a broken generator.
        assert len(set(samples)) >= 4990

    def test_every_generated_code_normalises_to_itself(self):
        for _ in range(500):
            code = generate_code()
            assert normalize(code) == code
            assert normalize(code.lower().replace("-", " ")) == code


class TestNormalize:

    @pytest.mark.parametrize("text, expected", [
        ("B123-C456", "B123-C456"),
        ("b123-c456", "B123-C456"),
        ("B123C456", "B123-C456"),
        ("b123c456", "B123-C456"),
        ("  b123 c456  ", "B123-C456"),
        ("B 1 2 3 - C 4 5 6", "B123-C456"),
        ("b123_c456", "B123-C456"),
        ("B123.C456", "B123-C456"),
        ("B123\u2013C456", "B123-C456"),  # en dash, as word processors type it
        ("B123--C456", "B123-C456"),
        ("\tY999\nW000", "Y999-W000"),
    ])
    def test_forms_of_one_code(self, text, expected):
        assert normalize(text) == expected

    @pytest.mark.parametrize("text", [
        "", "   ", "-", "B123", "B123-C45", "B123-C4567", "B123-C456-D789",
        "A123-C456",   # vowel
        "K123-C456",   # excluded consonant
        "B123-X456", "B123-Z456",
        "1234-5678", "BC23-C456",
        "B123/C456", "B123+C456", "B12३-C456",  # other separators, non-ASCII digit
        "B123-C456" + " " * 60,  # too long to be a typed code
        "' OR 1=1 --", "../../etc/passwd",
    ])
    def test_not_a_code(self, text):
        assert normalize(text) is None

    def test_non_string(self):
        assert normalize(None) is None
