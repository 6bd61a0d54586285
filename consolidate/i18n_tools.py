"""Build the message catalogues with Babel (a developer tool; the CLI never imports it).

    python -m consolidate.i18n_tools update   # extract msgids, merge them into every .po, compile
    python -m consolidate.i18n_tools check    # exit 1 when a catalogue is stale or incomplete

`update` extracts every msgid from the package (`_`, `N_`, `ngettext`, `Text`, `Plural`, and
the help texts of the CLI's commands and options), adds new
ones to `locale/en/LC_MESSAGES/consolidate.po` (empty: translate them there), drops the ones
no longer in the code, and compiles each `.po` to its `.mo`. Click's Vietnamese catalogue
(`locale/vi/LC_MESSAGES/click.po`) is merged with the msgids of the installed Click.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from consolidate.i18n import CLICK_DOMAIN, DOMAIN, LOCALE_DIR

PACKAGE = Path(__file__).resolve().parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "Text": None, "Plural": (1, 2)}
# Click's own calls: gettext under the names it imports
CLICK_KEYWORDS = {"_": None, "ngettext": (1, 2)}
# what Click translates from a variable (`_(extra["required"])`), invisible to extraction
CLICK_DYNAMIC = ("required",)
# (domain, language): the catalogues kept in the repository
CATALOGUES = ((DOMAIN, "en"), (CLICK_DOMAIN, "vi"))


def _extract(folder: Path, keywords: dict, skip: tuple[str, ...] = ()) -> Catalog:
    template = Catalog(fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(folder), method_map=[("**.py", "python")], keywords=keywords, comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        if filename.startswith(skip):
            continue
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def template_for(domain: str) -> Catalog:
    """Every msgid the code of `domain` uses, with where it is used."""
    if domain == CLICK_DOMAIN:
        import click

        template = _extract(Path(click.__file__).resolve().parent, CLICK_KEYWORDS)
        for message in CLICK_DYNAMIC:
            template.add(message, None, [("click/core.py", 0)])
        return template
    template = _extract(PACKAGE, KEYWORDS, skip=("i18n_tools.py",))
    for text, where in _cli_help():
        template.add(text, None, [(where, 0)])
    return template


def _cli_help() -> list[tuple[str, str]]:
    """The commands' and options' help texts, as Click holds them (docstrings and `help=`
    are not calls of `_`, so extraction cannot see them; the CLI translates them when shown)."""
    from consolidate.cli.main import cli

    found = []
    stack = [cli]
    while stack:
        command = stack.pop()
        where = "cli/" + command.callback.__module__.rsplit(".", 1)[-1] + ".py" if command.callback else "cli"
        if command.help:
            found.append((command.help, where))
        found += [(param.help, where) for param in command.params if getattr(param, "help", None)]
        stack.extend(getattr(command, "commands", {}).values())
    return found


def po_path(domain: str, lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def read_catalogue(domain: str, lang: str) -> Catalog:
    path = po_path(domain, lang)
    if not path.exists():
        return Catalog(locale=lang, domain=domain, project="consolidate", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=domain)


def po_bytes(catalogue: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalogue, width=100, omit_header=False, sort_output=True, ignore_obsolete=True,
             include_previous=False)
    return out.getvalue()


def mo_bytes(catalogue: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalogue, use_fuzzy=False)
    return out.getvalue()


def update() -> None:
    for domain, lang in CATALOGUES:
        catalogue = read_catalogue(domain, lang)
        catalogue.update(template_for(domain), no_fuzzy_matching=True, update_header_comment=False)
        catalogue.obsolete.clear()
        path = po_path(domain, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(po_bytes(catalogue))
        compiled = read_catalogue(domain, lang)  # as written, so `check` compares like with like
        path.with_suffix(".mo").write_bytes(mo_bytes(compiled))
        missing = [m.id for m in compiled if m.id and not _translated(m)]
        print(f"{path.relative_to(PACKAGE)}: {len(compiled)} messages, {len(missing)} untranslated")


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return all(strings)


def problems() -> list[str]:
    """What is wrong with the catalogues in the repository (empty: all good)."""
    found = []
    for domain, lang in CATALOGUES:
        path = po_path(domain, lang)
        if not path.exists():
            found.append(f"{path}: missing")
            continue
        catalogue = read_catalogue(domain, lang)
        wanted = {m.id if isinstance(m.id, str) else tuple(m.id) for m in template_for(domain) if m.id}
        have = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalogue if m.id}
        found += [f"{path.name} ({lang}): not in the catalogue: {m!r}" for m in sorted(wanted - have, key=str)]
        found += [f"{path.name} ({lang}): no longer in the code: {m!r}" for m in sorted(have - wanted, key=str)]
        found += [f"{path.name} ({lang}): untranslated: {m.id!r}" for m in catalogue if m.id and not _translated(m)]
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != mo_bytes(catalogue):
            found.append(f"{mo.name} ({lang}): not compiled from the current .po")
    return found


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["update"]:
        update()
        return 0
    if args == ["check"]:
        found = problems()
        print("\n".join(found) or "catalogues up to date")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
