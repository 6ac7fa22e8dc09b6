"""No page text escapes translation: every `_()` in a template and every `ctx.t()`/`N_()` in the web code has
an Italian translation with the same placeholders, and no template holds bare English text."""

from __future__ import annotations

import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract, extract_python
from jinja2.ext import babel_extract

import partnerhub.http.web
from partnerhub.locale import catalog

WEB = Path(partnerhub.http.web.__file__).parent
TEMPLATES = sorted((WEB / "templates").rglob("*.html"))
MODULES = sorted(WEB.glob("*.py"))
KEYWORDS: dict[str, None] = {"_": None, "t": None, "N_": None, "translate": None}
TRANSLATED_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "data-copied-label")
ALLOWED_WORDS = {"partnerhub"}  # the product's name is the same in every language


def template_msgids(path: Path) -> set[str]:
    with path.open("rb") as fh:
        return {str(m[1]) for m in extract(babel_extract, fh, keywords=KEYWORDS, options={}) if m[1]}


def module_msgids(path: Path) -> set[str]:
    with path.open("rb") as fh:
        found = extract_python(fh, list(KEYWORDS), [], {})
        return {m[2] for m in found if isinstance(m[2], str) and m[2]}


def all_web_msgids() -> set[str]:
    out: set[str] = set()
    for path in TEMPLATES:
        out |= template_msgids(path)
    for path in MODULES:
        out |= module_msgids(path)
    return out


def bare_text(source: str) -> list[str]:
    """The human-language text of a template that is not inside `{{ }}`, `{% %}` or `{# #}`."""
    text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>|<!--.*?-->", " ", text, flags=re.S | re.I)
    leftovers: list[str] = []
    for attr in TRANSLATED_ATTRIBUTES:
        leftovers += [v for v in re.findall(rf'{attr}="([^"]*)"', text) if re.search(r"[A-Za-z]{2,}", v)]
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    for chunk in re.split(r"\s{2,}|\n", text):
        words = [w for w in re.findall(r"[A-Za-zÀ-ÿ]{2,}", chunk) if w not in ALLOWED_WORDS]
        if words:
            leftovers.append(chunk.strip())
    return leftovers


def test_web_messages_are_found() -> None:
    found = all_web_msgids()
    assert "Remove reseller relationship" in found
    assert "Sign in" in found


def test_every_web_message_has_an_italian_translation() -> None:
    missing = sorted(all_web_msgids() - set(catalog("it")))
    assert missing == [], f"web messages without an Italian translation: {missing}"


@pytest.mark.parametrize("msgid", sorted(all_web_msgids()))
def test_web_translations_keep_the_placeholders(msgid: str) -> None:
    def names(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    assert names(catalog("it").get(msgid, msgid)) == names(msgid)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(WEB / "templates")))
def test_templates_hold_no_untranslated_text(path: Path) -> None:
    assert bare_text(path.read_text()) == []


def test_the_bare_text_check_catches_english_outside_translation() -> None:
    assert bare_text('<p>{{ _("Fine") }}</p><p>Not translated</p>') == ["Not translated"]
    assert bare_text('<button aria-label="Close">{{ _("x") }}</button>') == ["Close"]
    assert bare_text(io.StringIO("<span>{{ customer.name }}</span> · partnerhub").read()) == []
