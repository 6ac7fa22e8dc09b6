"""Translations: gettext catalogs (.po) per language, read once with Babel; English is the msgid itself."""

from __future__ import annotations

from functools import cache
from importlib import resources

from babel.messages.pofile import read_po

SUPPORTED = ("en", "it")
DEFAULT = "en"


def supported_language(value: str | None) -> str | None:
    """The first supported language of a setting, an X-Locale or an Accept-Language value (`it-IT`, `IT`,
    `it_IT`, `fr;q=1, it`), else None."""
    for part in (value or "").split(","):
        lang = part.split(";")[0].strip().replace("_", "-").split("-")[0].lower()
        if lang in SUPPORTED:
            return lang
    return None


def normalize_locale(value: str | None) -> str:
    """Map `it-IT`, `IT`, `it_IT` or an Accept-Language header to a supported language, else English."""
    return supported_language(value) or DEFAULT


@cache
def catalog(locale: str) -> dict[str, str]:
    """The msgid → translation map of one language (empty for English)."""
    if locale == DEFAULT:
        return {}
    folder = resources.files("partnerhub.locale").joinpath(locale, "LC_MESSAGES")
    merged: dict[str, str] = {}
    # messages.po holds the domain's messages, web.po the dashboard's: one language is one folder of catalogs
    for ref in sorted((f for f in folder.iterdir() if f.name.endswith(".po")), key=lambda f: f.name):
        with ref.open("rb") as fh:
            po = read_po(fh, locale=locale)
        merged.update({str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy})
    return merged


_MARKED: set[str] = set()


def N_(msgid: str) -> str:
    """Mark a module-level string for translation (translated later, where it is used)."""
    _MARKED.add(msgid)
    return msgid


def marked_messages() -> set[str]:
    return set(_MARKED)


def gettext(msgid: str, locale: str = DEFAULT) -> str:
    """Translate `msgid` into `locale`; falls back to English when a translation is missing."""
    return catalog(normalize_locale(locale)).get(msgid, msgid)
