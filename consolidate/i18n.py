"""One message catalogue for every text the tool prints (stdlib gettext, Babel catalogues).

The Vietnamese text is the msgid, so Vietnamese needs no catalogue and a missing English
translation falls back to Vietnamese (and shows as untranslated in `locale/en`). Click's own
strings ("Usage:", "Show this message and exit.") get a Vietnamese catalogue of their own
(domain `click`), so the Vietnamese CLI reads Vietnamese throughout.

- `_(text)` translates into the current language; `N_(text)` only marks text for extraction
  (class-level templates, rendered later through `_`).
- `ngettext(singular, plural, n)` for counts ("1 error", "2 errors").
- `Plural(singular, plural, n, **params)` and `Join(separator, items)` are kept unrendered
  the same way.
- `Text(msgid, **params)` is a message kept unrendered (a problem's note, made once and
  cached, shown later in Vietnamese in a workbook and in English on the CLI); `str()`
  renders it in the current language.
- `set_language("vi" | "en")`; the CLI sets it from `--lang`, else from `LANGUAGE`.
- `number`, `percent` and `seconds` format figures for the current language (Babel);
  `Number(value)` is one kept unrendered inside a Text.
- `because(N_(reason), detail)`: a note giving the Vietnamese reason first, a library's words after.

Update catalogues after changing messages: see README, developer notes (`pybabel extract`,
`update`, `compile`); a test fails while a catalogue is stale.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext as _gettext
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "consolidate"
CLICK_DOMAIN = "click"
LANGUAGES = ("vi", "en")
DEFAULT = "vi"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("consolidate_language", default=DEFAULT)
_catalogues: dict[tuple[str, str], _gettext.NullTranslations] = {}


def _catalogue(lang: str, domain: str = DOMAIN) -> _gettext.NullTranslations:
    key = (lang, domain)
    if key not in _catalogues:
        _catalogues[key] = _gettext.translation(domain, LOCALE_DIR, languages=[lang], fallback=True)
    return _catalogues[key]


def from_environment(environ: dict[str, str] | os._Environ[str] | None = None) -> str:
    """English when LANGUAGE (GNU gettext's explicit preference) starts with `en`, else
    Vietnamese. LANG and LC_* are ignored on purpose: they are a machine's default (often
    en_US on servers), not a choice the user made for this tool."""
    value = (os.environ if environ is None else environ).get("LANGUAGE", "")
    first = (value or "").split(":")[0].lower()
    return "en" if first.startswith("en") else DEFAULT


def set_language(lang: str | None) -> str:
    lang = lang if lang in LANGUAGES else DEFAULT
    _current.set(lang)
    _install_click(lang)
    return lang


@contextlib.contextmanager
def session(lang: str) -> Iterator[str]:
    """One CLI invocation: `lang` (or what `set_language` picks inside) for its messages and
    Click's, then the language and LANGUAGE as they were, so one run never leaks into the
    next in the same process (tests, a caller embedding the CLI)."""
    saved_env = os.environ.get("LANGUAGE")
    token = _current.set(DEFAULT)
    try:
        yield set_language(lang)
    finally:
        _current.reset(token)
        if saved_env is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = saved_env


def get_language() -> str:
    return _current.get()


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """Render in `lang` for the duration (e.g. an English message next to a Vietnamese one)."""
    token = _current.set(lang if lang in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def in_vietnamese(func: Callable[..., T]) -> Callable[..., T]:
    """For what writes a document a unit or the specialist reads (a template, the summary,
    feedback, letters, the status JSON): Vietnamese, whatever language the CLI speaks. Errors
    raised inside should carry a Text, so that they still show in the CLI's language."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with language("vi"):
            return func(*args, **kwargs)

    return wrapper


def _(message: str) -> str:
    lang = _current.get()
    if lang == DEFAULT or not message:
        return message
    return _catalogue(lang).gettext(message)


def N_(message: str) -> str:
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    lang = _current.get()
    if lang == DEFAULT:
        return singular  # Vietnamese has one form; the msgid is written for it
    return _catalogue(lang).ngettext(singular, plural, n)


def translate(message: str | Text, lang: str) -> str:
    with language(lang):
        return render(message)


class Lazy:
    """What `str()` renders in the language in force when shown (Text, Figure, a Problem)."""

    __slots__ = ()


class Text(Lazy):
    """A message rendered when it is shown, not when it is made: the Vietnamese msgid and
    its parameters (which may be Text themselves). Equal when msgid and parameters are."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params: Any):
        self.msgid = msgid
        self.params = params

    def __str__(self) -> str:
        text = _(self.msgid)
        if not self.params:
            return text
        return text.format(**{k: render(v) for k, v in self.params.items()})

    def __repr__(self) -> str:
        return f"Text({self.msgid!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.msgid, self.params) == (other.msgid, other.params)

    def __hash__(self) -> int:
        return hash((self.msgid, tuple(sorted(self.params))))

    def __bool__(self) -> bool:
        return bool(self.msgid)


class Plural(Lazy):
    """A count's message rendered when shown (``ngettext`` later): singular and plural msgids,
    the count `n` (also a parameter) and other parameters."""

    __slots__ = ("singular", "plural", "n", "params")

    def __init__(self, singular: str, plural: str, n: int, **params: Any):
        self.singular, self.plural, self.n, self.params = singular, plural, n, params

    def __str__(self) -> str:
        text = ngettext(self.singular, self.plural, self.n)
        return text.format(n=self.n, **{k: render(v) for k, v in self.params.items()})

    def __repr__(self) -> str:
        return f"Plural({self.singular!r}, n={self.n!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Plural) and (self.singular, self.n, self.params) == (
            other.singular, other.n, other.params)

    def __hash__(self) -> int:
        return hash((self.singular, self.n))


class Join(Lazy):
    """Items (Text or plain) joined by `separator`, each rendered when shown."""

    __slots__ = ("separator", "items")

    def __init__(self, separator: str, items: list):
        self.separator, self.items = separator, list(items)

    def __str__(self) -> str:
        return self.separator.join(str(render(item)) for item in self.items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Join) and (self.separator, self.items) == (other.separator, other.items)

    def __hash__(self) -> int:
        return hash((self.separator, len(self.items)))


class Figure(Lazy):
    """A number inside a Text, shown the current language's way when the Text is rendered
    ("0,85" / "0.85"): up to six decimals, no trailing zeros, no grouping."""

    __slots__ = ("value",)

    def __init__(self, value: float | int):
        self.value = value

    def __str__(self) -> str:
        text = f"{round(self.value, 6):g}"
        return text if _current.get() == "en" else text.replace(".", ",")

    def __repr__(self) -> str:
        return f"Figure({self.value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Figure) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)


class Number(Lazy):
    """A count or size inside a Text, grouped the current language's way when the Text is
    rendered ("1.048.576" / "1,048,576"): `number(value, decimals)` at render time."""

    __slots__ = ("value", "decimals")

    def __init__(self, value: float | int, decimals: int = 0):
        self.value, self.decimals = value, decimals

    def __str__(self) -> str:
        return number(self.value, self.decimals)

    def __repr__(self) -> str:
        return f"Number({self.value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Number) and (self.value, self.decimals) == (other.value, other.decimals)

    def __hash__(self) -> int:
        return hash(self.value)


def because(reason: str, detail: object = "", **params: Any) -> Text:
    """A rejection's note: the Vietnamese reason (an `N_` msgid, with its `params`) first,
    then the library's own words for the curious, never those words alone (a unit cannot
    act on "zip: File is not a zip file")."""
    detail = str(detail).strip()[:200]
    if not detail:
        return Text(reason, **params)
    return Text("{reason} (chi tiết kỹ thuật: {detail})", reason=Text(reason, **params), detail=detail)


def render(value: Any) -> Any:
    """Text in the current language; anything else as it is (a plan's own words, a number)."""
    return str(value) if isinstance(value, Lazy) else value


def _install_click(lang: str) -> None:
    """Click calls the module-level gettext functions with the global domain: point that
    domain at our Click catalogue and pick the language for this process."""
    _gettext.bindtextdomain(CLICK_DOMAIN, str(LOCALE_DIR))
    _gettext.textdomain(CLICK_DOMAIN)
    os.environ["LANGUAGE"] = lang


def _babel_locale() -> str:
    return "vi" if _current.get() == "vi" else "en"


def number(value: float | int | None, decimals: int = 1) -> str:
    """1234.5 -> "1.234,5" in Vietnamese, "1,234.5" in English."""
    if value is None:
        return "-"
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=_babel_locale())


def percent(fraction: float | None, decimals: int = 1) -> str:
    """0.91 -> "91,0%" / "91.0%"; None -> "-"."""
    if fraction is None:
        return "-"
    return number(fraction * 100, decimals) + "%"


def seconds(value: float) -> str:
    """Elapsed time for a person: "1,2 giây" / "1.2 s"."""
    return number(value, 1) + (" giây" if _current.get() == "vi" else " s")
