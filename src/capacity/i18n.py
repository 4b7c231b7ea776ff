"""Words in the page's language: one gettext catalogue, one language per kernel.

Every short label, unit, status word, table phrase and parameter meaning is written in code
as its English text (the msgid) and translated through one catalogue,
``capacity/locale/<language>/LC_MESSAGES/capacity.po`` (Babel; ``make messages`` extracts
and updates it, a build compiles it to ``.mo``). A notebook sets its page's language once
(:func:`set_language`); report functions whose ``language`` is ``None`` read it
(:func:`language`). English is the source text: it needs no catalogue.

Mark a text for extraction where it is written: ``_("Download")`` translates it now,
``N_("Download")`` only marks it (a table of texts translated later), ``pgettext("column",
"date")`` gives a code its words in one context (a column name is a code, not a sentence).

Moving a word home: write the English in the code (``_``/``N_``, named placeholders such as
``{month}``), run ``make messages``, fill in the new ``msgstr`` entries of the ``.po``;
``tests/unit/test_i18n.py`` fails until no entry is empty or fuzzy and the ``.po`` holds
exactly what the code marks. A page's language is a parameter of the function only where a
page must differ from its kernel (the Dutch-only municipal report); otherwise take
``language: str | None = None`` and pass it on. Prose belongs in the notebook, as markdown
twins tagged ``en``/``nl`` (:class:`capacity.report.language_cells.LanguageCells`).
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
from pathlib import Path

#: The languages a page can be in; English is the catalogue's source text.
LANGUAGES = ("en", "nl")
#: The language of the msgids (and of the data files' names): it needs no catalogue.
SOURCE = "en"
DOMAIN = "capacity"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_current = "en"


def set_language(lang: str) -> None:
    """Set the language of every text this kernel writes from now on (a notebook cell shows nothing).

    Args:
        lang: ``en`` or ``nl`` (a scenario's ``meta.language``).

    Raises:
        ValueError: For another language, naming the ones there are.
    """
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    _current = lang


def language(lang: str | None = None) -> str:
    """Return ``lang``, or the kernel's language (:func:`set_language`) when it is ``None``."""
    return _current if lang is None else lang


def N_(message: str) -> str:
    """Return ``message`` unchanged: marks a text for the catalogue that is translated later."""
    return message


def NC_(context: str, message: str) -> str:
    """Return ``message`` unchanged: marks a code for the catalogue within ``context``."""
    return message


def gettext(message: str, lang: str | None = None) -> str:
    """Return ``message`` (English) in ``lang`` (default: the kernel's language)."""
    return translations(language(lang)).gettext(message)


def pgettext(context: str, message: str, lang: str | None = None) -> str:
    """Return ``message`` in ``lang`` within ``context`` (e.g. ``column``: a column code's name)."""
    return translations(language(lang)).pgettext(context, message)


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    """Return the singular or plural of a text in ``lang``, as ``n`` asks."""
    return translations(language(lang)).ngettext(singular, plural, n)


#: The usual short name.
_ = gettext


def known(message: str, context: str | None = None) -> bool:
    """Return whether the catalogue has ``message`` (in ``context``): a text with a translation."""
    return (message if context is None else f"{context}\x04{message}") in _messages()


@functools.cache
def _messages() -> frozenset[str]:
    """Return the msgids the catalogues translate (a text in a context as context, EOT, msgid)."""
    return frozenset(
        k for lang in LANGUAGES if lang != SOURCE for k in translations(lang)._catalog if isinstance(k, str) and k
    )


@functools.cache
def translations(lang: str) -> _gettext.NullTranslations:
    """Return the compiled catalogue of ``lang`` (English: none, the msgids are the text).

    The build compiles ``capacity.po`` to ``capacity.mo`` (setup.py). A checkout run without
    a build (``PYTHONPATH=src``, the tests) has no ``.mo``, and a ``.po`` edited after a build
    is newer than its ``.mo``: then the ``.po`` is compiled here, in memory, so a page never
    shows a stale or missing translation.
    """
    if lang == SOURCE:
        return _gettext.NullTranslations()
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    if not po.exists():
        raise FileNotFoundError(f"no catalogue for language {lang!r}: {po} (languages: {', '.join(LANGUAGES)})")
    return _gettext.GNUTranslations(io.BytesIO(compile_po(po)))


def compile_po(po: Path) -> bytes:
    """Return the ``.mo`` bytes of a ``.po`` file (fuzzy entries left out, as msgfmt does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()
