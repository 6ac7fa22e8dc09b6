"""Every message a user can see exists in Italian, with the same placeholders as the English one."""

from __future__ import annotations

import importlib
import pkgutil
import re
import string
from pathlib import Path

import pytest

import partnerhub
from partnerhub.errors import CustomerNotFound, RemoveBlockedByActiveSubscriptions, all_error_classes
from partnerhub.locale import catalog, gettext, marked_messages, normalize_locale


def _all_msgids() -> set[str]:
    for mod in pkgutil.walk_packages(partnerhub.__path__, "partnerhub."):
        if ".migrations.versions" in mod.name or mod.name.endswith("migrations.env"):
            continue
        importlib.import_module(mod.name)
    return {cls.message for cls in all_error_classes()} | marked_messages()


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_italian_catalog_has_every_message() -> None:
    missing = sorted(_all_msgids() - set(catalog("it")))
    assert missing == [], f"messages without an Italian translation: {missing}"


@pytest.mark.parametrize("msgid", sorted(_all_msgids()))
def test_translations_keep_the_placeholders(msgid: str) -> None:
    assert _placeholders(gettext(msgid, "it")) == _placeholders(msgid)


def test_error_codes_are_unique_per_message() -> None:
    seen: dict[int, str] = {}
    for cls in all_error_classes():
        if cls.code in seen and seen[cls.code] != cls.message:
            # Kinds (base classes) may share a code with their most common concrete error.
            assert cls.__subclasses__() or any(
                c.code == cls.code and c.__subclasses__() for c in all_error_classes() if c.message == seen[cls.code]
            ), f"code {cls.code} is used by {cls.__name__} and another message"
        seen.setdefault(cls.code, cls.message)


def test_errors_render_in_the_users_language() -> None:
    err = CustomerNotFound(id="abc")
    assert err.render("en") == "Customer abc was not found."
    assert err.render("it") == "Il cliente abc non è stato trovato."
    blocked = RemoveBlockedByActiveSubscriptions(count=1, names="Office (x, active)")
    assert "Sospendile prima" in blocked.render("it-IT")


@pytest.mark.parametrize(
    ("header", "expected"),
    [("it-IT", "it"), ("it_IT", "it"), ("fr-FR, it;q=0.8", "it"), ("de", "en"), (None, "en"), ("EN-us", "en")],
)
def test_locale_negotiation(header: str | None, expected: str) -> None:
    assert normalize_locale(header) == expected


OPERATION_CALL = re.compile(
    r"(?:require_partner|require_operator|require_customer_admin|require_gdap_manager|require_indirect_provider|"
    r'require_reseller_of|require_delegated_role)\([^"]*"([^"]+)"|operation="([^"]+)"'
)


def _operation_names() -> set[str]:
    names: set[str] = set()
    for path in Path(partnerhub.__file__).parent.rglob("*.py"):
        for found in OPERATION_CALL.finditer(path.read_text()):
            names.add(found.group(1) or found.group(2))
    return names


def test_every_operation_named_in_a_refusal_has_an_italian_name() -> None:
    names = _operation_names()
    assert "remove reseller relationship" in names
    assert sorted(names - set(catalog("it"))) == []


def test_a_refusal_names_the_operation_in_the_users_language() -> None:
    from partnerhub.errors import Forbidden

    refusal = Forbidden(operation="list customers")
    assert refusal.render("en") == "Your role does not allow this operation: list customers."
    assert refusal.render("it").endswith(": elencare i clienti.")
