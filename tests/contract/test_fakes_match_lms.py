"""
The fakes and the adapter against edx-platform's real names and parameters (``tests/openedx_fakes/
openedx_symbols.json``, see its ``conventions``), so that neither can drift from the LMS unnoticed.

* Every name the adapter imports from edx-platform (found by parsing host/openedx.py, so a new import is checked
  automatically), and every attribute it reads from an imported class or module, exists in the LMS.
* Every name a fake module exports (``__all__``) exists in the LMS, with the same kind, the same parameters for
  functions and methods, the same method kinds (classmethod or not), fields the LMS model has, and equal constants.
"""
import ast
import importlib
import inspect
import json
import types
from pathlib import Path

import pytest
from django.dispatch import Signal

from certexceptions_plugin.host import openedx as adapter
from certexceptions_plugin.host.port import Permission
from tests.openedx_fakes import EDX_PLATFORM_ROOT, update_symbols

SYMBOLS = json.loads((Path(EDX_PLATFORM_ROOT).parent / "openedx_symbols.json").read_text())["modules"]
EDX_ROOTS = {"lms", "common", "openedx", "cms", "xmodule"}
MISSING = "; if the LMS has it, run tests/openedx_fakes/update_symbols.py to copy it from the full record"


def lms_entry(module, name):
    assert module in SYMBOLS, f"{module} is not a known edx-platform module{MISSING}"
    assert name in SYMBOLS[module]["names"], f"{module} has no {name!r} in edx-platform{MISSING}"
    return SYMBOLS[module]["names"][name]


def kind_of(entry):
    return entry.get("target_kind", entry["kind"])


# --- the adapter's imports ------------------------------------------------------------------------------------

def adapter_imports():
    """``(module, name, bound_as)`` for each ``from <edx-platform module> import name`` in the adapter."""
    tree = ast.parse(Path(adapter.__file__).read_text())
    return [
        (node.module, alias.name, alias.asname or alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in EDX_ROOTS
        for alias in node.names
    ]


def adapter_attribute_reads():
    """``(bound name, attribute)`` for every ``X.attr`` in the adapter."""
    tree = ast.parse(Path(adapter.__file__).read_text())
    return {(node.value.id, node.attr) for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)}


def test_adapter_imports_from_edx_platform():
    assert len(adapter_imports()) >= 10, "the adapter's edx-platform imports were not found"


@pytest.mark.parametrize("module, name, bound_as", adapter_imports(), ids=lambda v: str(v))
def test_adapter_import_exists_in_the_lms(module, name, bound_as):
    submodule = f"{module}.{name}"
    if submodule in SYMBOLS:
        entries = SYMBOLS[submodule]["names"]
        owner = submodule
    else:
        entry = lms_entry(module, name)
        entries = {}
        for group in ("methods", "properties", "fields", "fk_attnames", "class_attributes", "implicit_fields",
                      "inherited_fields"):
            entries.update(dict.fromkeys(entry.get(group, ())))
        if entry.get("django_model"):
            entries.update(dict.fromkeys(("objects", "DoesNotExist", "MultipleObjectsReturned")))
        owner = f"{module}.{name}"
    for bound, attribute in adapter_attribute_reads():
        if bound == bound_as:
            assert attribute in entries, f"the adapter reads {owner}.{attribute}, which edx-platform does not have"
    # The fakes offer the same name, or the adapter could not run in the contract suite.
    if submodule in SYMBOLS:
        fake = importlib.import_module(submodule)
    else:
        fake = getattr(importlib.import_module(module), name, None)
    assert fake is not None, f"no fake for {module}.{name}: add one under tests/openedx_fakes/edx_platform"


@pytest.mark.parametrize("permission", list(Permission))
def test_permissions_name_real_lms_constants(permission):
    entry = lms_entry("lms.djangoapps.instructor.permissions", adapter.LMS_PERMISSIONS[permission])
    assert entry == {"kind": "constant", "value": permission.value}


# --- the fakes ------------------------------------------------------------------------------------------------

def fake_modules():
    root = Path(EDX_PLATFORM_ROOT)
    names = (".".join(path.relative_to(root).with_suffix("").parts) for path in sorted(root.rglob("*.py")))
    return [name for name in names if not name.endswith("__init__")]


def fake_exports():
    """Read statically: the fake modules become importable only once the suite's fixtures run."""
    return [(module, name) for module, names in update_symbols.fake_exports().items() for name in names]


def test_every_fake_module_declares_what_it_fakes():
    for module in fake_modules():
        assert getattr(importlib.import_module(module), "__all__", None), f"{module} has no __all__"


def params(function, bound: bool) -> list[tuple]:
    """The parameters as ``(token, has_default, default)``: names, ``*args``, ``**kwargs``, a bare ``*``."""
    result, star = [], False
    parameters = list(inspect.signature(function).parameters.values())
    for parameter in parameters[1:] if bound else parameters:
        if parameter.kind is parameter.VAR_POSITIONAL:
            star = True
            result.append((f"*{parameter.name}", False, None))
        elif parameter.kind is parameter.VAR_KEYWORD:
            result.append((f"**{parameter.name}", False, None))
        else:
            if parameter.kind is parameter.KEYWORD_ONLY and not star:
                star = True
                result.append(("*", False, None))
            has_default = parameter.default is not parameter.empty
            result.append((parameter.name, has_default, parameter.default if has_default else None))
    return result


def lms_default(text: str, module: str | None):
    """A recorded default: a literal, or the name of a constant recorded in the same module (compared by value)."""
    try:
        return ast.literal_eval(text)
    except ValueError:
        constant = SYMBOLS.get(module, {}).get("names", {}).get(text, {})
        assert "value" in constant, f"default {text!r} is neither a literal nor a recorded constant of {module}"
        return constant["value"]


def lms_params(texts: list[str], module: str | None = None) -> list[tuple]:
    result = []
    for text in texts:
        name, _, default = text.partition("=")
        result.append((name, bool(default), lms_default(default, module) if default else None))
    return result


def check_class(module, name, fake, entry):
    assert inspect.isclass(fake), f"{module}.{name} is a class in the LMS"
    lms_methods = entry.get("methods", {})
    for attribute, value in vars(fake).items():
        if attribute.startswith("_") and attribute != "__init__":
            continue
        if isinstance(value, (classmethod, staticmethod)):
            decorator, function, bound = type(value).__name__, value.__func__, isinstance(value, classmethod)
        elif isinstance(value, types.FunctionType):
            decorator, function, bound = None, value, True
        else:
            continue
        where = f"{module}.{name}.{attribute}"
        assert attribute in lms_methods, f"{where} is not a method in edx-platform"
        assert decorator == lms_methods[attribute]["decorator"], f"{where}: {decorator} in the fake"
        assert params(function, bound) == lms_params(lms_methods[attribute]["params"], module), where
    if entry.get("django_model"):
        real = {*entry.get("fields", ()), *entry.get("fk_attnames", ()), *entry.get("implicit_fields", ()),
                *entry.get("inherited_fields", ())}
        fields = {field.name for field in fake._meta.concrete_fields} | {
            field.attname for field in fake._meta.concrete_fields}
        assert fields <= real, f"{module}.{name} fields not in edx-platform: {sorted(fields - real)}"


@pytest.mark.parametrize("module, name", fake_exports(), ids=lambda v: str(v))
def test_fake_matches_the_lms(module, name):
    entry = lms_entry(module, name)
    fake = getattr(importlib.import_module(module), name)
    kind = kind_of(entry)
    if kind == "function":
        assert inspect.isfunction(fake), f"{module}.{name} is a function in the LMS"
        assert params(fake, bound=False) == lms_params(entry["params"], module), f"{module}.{name}"
    elif kind == "class":
        check_class(module, name, fake, entry)
    elif kind == "constant" and entry.get("value_expr") == "Signal()":
        assert isinstance(fake, Signal), f"{module}.{name} is a Django signal in the LMS"
    elif kind == "constant":
        assert "value" in entry, f"{module}.{name}: the LMS value is not recorded"
        assert fake == entry["value"], f"{module}.{name}"
    else:
        pytest.fail(f"{module}.{name}: kind {kind!r} is not checked by this test")


def test_signature_check_sees_a_difference():
    """The comparison itself: a missing default, a renamed parameter or a keyword-only marker is a mismatch."""
    def fake(user, course_key, *, notes=""):  # pylint: disable=unused-argument
        return None

    assert params(fake, bound=False) == lms_params(["user", "course_key", "*", "notes=''"])
    assert params(fake, bound=False) != lms_params(["user", "course_key", "notes=''"])
    assert params(fake, bound=False) != lms_params(["user", "course_id", "*", "notes=''"])
    assert params(fake, bound=False) != lms_params(["user", "course_key", "*", "notes=None"])


def test_a_default_naming_a_recorded_constant_is_compared_by_its_value():
    def fake(email, salt_list, retired_email_fmt="retired_email_{}@retired.edx.org"):  # pylint: disable=unused-argument
        return None

    recorded = ["email", "salt_list", "retired_email_fmt=RETIRED_EMAIL_DEFAULT_FMT"]
    assert params(fake, bound=False) == lms_params(recorded, "openedx.core.lib.user_util")
    with pytest.raises(AssertionError, match="neither a literal nor a recorded constant"):
        lms_params(recorded, "openedx.features.course_experience.url_helpers")
