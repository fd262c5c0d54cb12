"""Harbour's Welsh catalogue, made and kept up to date (docs/welsh.md):

    make messages                        # extract, fill from SOURCES, compile
    make messages CY_SOURCES="a.po b.po" # the same, filling from these files too

1. Extracts every marked string (templates, Python, scripts) with Django's
   makemessages into locale/cy/LC_MESSAGES/django.po and djangojs.po. Needs
   GNU gettext (xgettext, msgmerge): a machine that only runs the site needs
   neither, because the compiled .mo files are committed.
2. Fills each entry with no Welsh from the translated PO files given (the
   translators' and each engineer's own), when its placeholders and markup
   match the English; an entry already translated keeps its Welsh unless
   --overwrite is given. Nothing is left fuzzy: msgmerge's guesses (an old
   translation of a different sentence) are thrown away, not shipped.
3. Compiles each .po to its .mo with polib (pure Python), so the .mo always
   matches its .po (tests/cms/test_welsh.py checks both); and the same for
   `ENGLISH_WORDING`, Harbour's own English for some of allauth's strings.

Prints how many entries each catalogue has and how many still lack Welsh, and
names any source entry refused for mismatched placeholders.

Also the extraction the test uses without gettext (`marked_strings`): it
parses the templates with Django's own template engine and the Python and
script files with their syntax, finding the msgids exactly as they are
looked up at run time.
"""

import argparse
import ast
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
LANGUAGE = "cy"
DOMAINS = ("django", "djangojs")
# What the project ships (the top level of DESIGN.md's card); not tests,
# benchmarks, docs, the virtualenv or what the site collects. Django matches
# an ignore pattern against each folder's own name too, so "media" is not
# one (templates/wagtailmedia/media would go with it): uploads hold no
# marked strings.
SOURCE_FOLDERS = ("cms", "community", "chat", "home", "search", "templates")
IGNORED = ["tests/*", "bench/*", "docs/*", "static_collected/*", ".*"]
NOT_IGNORED = {"media", "locale"}
# Django's rule for Welsh (django/conf/locale/cy): one, two, few (not 8, 11), many.
PLURAL_FORMS = (
    "nplurals=4; plural=(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != 11) ? 2 : 3;"
)
HEADER = {
    "Project-Id-Version": "Harbour",
    "Language": LANGUAGE,
    "Language-Team": "Welsh",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": PLURAL_FORMS,
}

# %(name)s, %s, %d, %% (Python and Django), {name} (str.format), and markup.
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdfr]|%[sdfr]|%%|\{[a-z_]*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def po_path(domain: str) -> Path:
    return LOCALE / LANGUAGE / "LC_MESSAGES" / f"{domain}.po"


# Harbour's English for a few of allauth's strings (its Title Case in sentence
# case: community/web/allauth_words.py), written by hand and compiled here.
ENGLISH_WORDING = LOCALE / "en" / "LC_MESSAGES" / "django.po"


def key(entry: polib.POEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def translations(entry: polib.POEntry) -> list[str]:
    """Every msgstr of `entry` (the four plural forms of a plural one)."""
    if entry.msgid_plural:
        return [entry.msgstr_plural.get(i, "") for i in range(4)]
    return [entry.msgstr]


def is_translated(entry: polib.POEntry) -> bool:
    return "fuzzy" not in entry.flags and all(translations(entry))


def mismatch(entry: polib.POEntry) -> str:
    """Why `entry`'s Welsh cannot be used with its English (placeholders or
    markup differ), or "" when it can. A plural's forms are each checked
    against the plural English, whose placeholders the singular may omit."""
    problems = []
    for index, text in enumerate(translations(entry)):
        if not text:
            continue
        english = entry.msgid_plural if entry.msgid_plural and index else entry.msgid
        want = Counter(PLACEHOLDER.findall(english))
        got = Counter(PLACEHOLDER.findall(text))
        if entry.msgid_plural:
            # A form may leave the number out ("un neges" for one); nothing
            # the English lacks may come in.
            want = Counter(set(PLACEHOLDER.findall(entry.msgid_plural)))
            got = Counter(set(PLACEHOLDER.findall(text)))
            extra = got - want
            if extra:
                problems.append(f"form {index} adds {sorted(extra)}")
            continue
        if want != got:
            problems.append(f"placeholders {sorted(want)} != {sorted(got)}")
        if Counter(TAG.findall(english)) != Counter(TAG.findall(text)):
            problems.append("markup differs")
    return "; ".join(problems)


ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def unescaped(text: str) -> str:
    """`text` with xgettext's unread Python escapes ("\\u2026") as the
    characters they are: msgids extracted before the source said "…", and
    Welsh written to match them."""
    return ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


def load_sources(paths: Iterable[Path]) -> dict[tuple[str, str], polib.POEntry]:
    """The translated entries of `paths`, later files winning."""
    found: dict[tuple[str, str], polib.POEntry] = {}
    for path in paths:
        try:
            catalogue = polib.pofile(str(path))
        except (OSError, ValueError) as error:
            sys.stderr.write(f"  skipped {path}: {error}\n")
            continue
        for entry in catalogue:
            if entry.obsolete or not entry.msgid:
                continue
            if any(translations(entry)) and "fuzzy" not in entry.flags:
                entry.msgid = unescaped(entry.msgid)
                entry.msgid_plural = unescaped(entry.msgid_plural or "")
                entry.msgstr = unescaped(entry.msgstr)
                entry.msgstr_plural = {
                    i: unescaped(text) for i, text in entry.msgstr_plural.items()
                }
                found[key(entry)] = entry
    return found


def fill(
    catalogue: polib.POFile,
    sources: dict[tuple[str, str], polib.POEntry],
    *,
    overwrite: bool = False,
) -> list[str]:
    """Give each entry of `catalogue` its Welsh from `sources`; drop fuzzy
    guesses and obsolete entries. Returns the refusals (mismatched Welsh)."""
    refused = []
    for entry in list(catalogue):
        if entry.obsolete:
            catalogue.remove(entry)
            continue
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = None
            entry.previous_msgctxt = None
            entry.msgstr = ""
            entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
        source = sources.get(key(entry))
        if source is None or (is_translated(entry) and not overwrite):
            continue
        candidate = polib.POEntry(
            msgid=entry.msgid,
            msgid_plural=entry.msgid_plural,
            msgstr=source.msgstr,
            msgstr_plural=dict(source.msgstr_plural),
        )
        if entry.msgid_plural and not source.msgid_plural:
            refused.append(f"{entry.msgid!r}: the source has no plural forms")
            continue
        problem = mismatch(candidate)
        if problem:
            refused.append(f"{entry.msgid!r}: {problem}")
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {i: source.msgstr_plural.get(i, "") for i in range(4)}
        else:
            entry.msgstr = source.msgstr
    return refused


def compile_mo(catalogue: polib.POFile, po: Path) -> Path:
    """The .mo beside `po`, of its translated entries only."""
    mo = po.with_suffix(".mo")
    catalogue.save_as_mofile(str(mo))
    return mo


def extract() -> None:
    """Django's makemessages for Welsh, both domains, over the shipped
    folders; msgmerge told not to guess (no fuzzy matching)."""
    import os

    import django
    from django.core.management import call_command
    from django.core.management.commands import makemessages

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    django.setup()

    class Command(makemessages.Command):
        msgmerge_options = [*makemessages.Command.msgmerge_options]
        msgmerge_options.append("--no-fuzzy-matching")

    ignore = IGNORED + [
        f"{path.name}/*"
        for path in ROOT.iterdir()
        if path.is_dir() and path.name not in {*SOURCE_FOLDERS, *NOT_IGNORED}
    ]
    os.chdir(ROOT)
    for domain in DOMAINS:
        call_command(
            Command(),
            locale=[LANGUAGE],
            domain=domain,
            ignore_patterns=ignore,
            no_obsolete=True,
            add_location="file",
            verbosity=0,
        )


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def run(sources: list[Path], *, overwrite: bool, skip_extract: bool) -> int:
    if not skip_extract:
        extract()
    known = load_sources(sources)
    missing_total = 0
    for domain in DOMAINS:
        po = po_path(domain)
        catalogue = polib.pofile(str(po)) if po.exists() else polib.POFile()
        catalogue.metadata = {**catalogue.metadata, **HEADER}
        # The same strings make the same files: no date that changes each run.
        catalogue.metadata.pop("POT-Creation-Date", None)
        # A fuzzy header is dropped by msgfmt, and with it the plural rule.
        catalogue.metadata_is_fuzzy = False
        catalogue.header = (
            "Harbour's Welsh catalogue: made by `make messages` (docs/welsh.md)."
        )
        refused = fill(catalogue, known, overwrite=overwrite)
        po.parent.mkdir(parents=True, exist_ok=True)
        catalogue.save(str(po))
        compile_mo(catalogue, po)
        missing = [e for e in catalogue if not is_translated(e)]
        missing_total += len(missing)
        say(
            f"{po.relative_to(ROOT)}: {len(catalogue)} msgids, "
            f"{len(catalogue) - len(missing)} in Welsh, {len(missing)} without"
        )
        for line in refused:
            say(f"  refused {line}")
        for entry in missing[:20]:
            say(f"  no Welsh: {entry.msgid[:70]!r}")
    english = polib.pofile(str(ENGLISH_WORDING))
    compile_mo(english, ENGLISH_WORDING)
    say(f"{ENGLISH_WORDING.relative_to(ROOT)}: {len(english)} msgids compiled")
    return 1 if missing_total else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="*", type=Path, help="translated PO files")
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="let the sources replace Welsh already in the catalogue",
    )
    parser.add_argument(
        "--no-extract",
        action="store_true",
        help="fill and compile only (no gettext needed)",
    )
    args = parser.parse_args(argv)
    return run(args.sources, overwrite=args.overwrite, skip_extract=args.no_extract)


# The run-time msgids, found without gettext (for tests/cms/test_welsh.py) ---------


@dataclass(frozen=True)
class Marked:
    """One string marked for translation, as the code looks it up."""

    msgid: str
    where: str
    context: str = ""
    plural: str = ""


GETTEXT_NAMES = {
    "_": (0, None, None),
    "gettext": (0, None, None),
    "gettext_lazy": (0, None, None),
    "gettext_noop": (0, None, None),
    "ngettext": (0, 1, None),
    "ngettext_lazy": (0, 1, None),
    "pgettext": (1, None, 0),
    "pgettext_lazy": (1, None, 0),
    "npgettext": (1, 2, 0),
    "npgettext_lazy": (1, 2, 0),
}


def source_files(suffix: str) -> Iterator[Path]:
    for folder in SOURCE_FOLDERS:
        for path in sorted((ROOT / folder).rglob(f"*{suffix}")):
            if "migrations" not in path.parts:
                yield path


def python_strings(path: Path) -> Iterator[Marked]:
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in GETTEXT_NAMES:
            continue
        at, plural_at, context_at = GETTEXT_NAMES[name]

        def text(index: int | None, node: ast.Call = node) -> str | None:
            if index is None or index >= len(node.args):
                return None
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                return arg.value
            return None

        msgid = text(at)
        if msgid is None:
            continue  # a variable: translated where its text is marked
        yield Marked(
            msgid,
            f"{path.relative_to(ROOT)}:{node.lineno}",
            text(context_at) or "",
            text(plural_at) or "",
        )


JS_CALL = re.compile(
    r"\b(gettext|ngettext|pgettext)\(\s*"
    r"(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"
    r"(?:\s*,\s*(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'))?"
)


def script_strings(path: Path) -> Iterator[Marked]:
    source = path.read_text()
    for match in JS_CALL.finditer(source):
        name, first, second = match.groups()
        first_text = ast.literal_eval(first)
        second_text = ast.literal_eval(second) if second else ""
        line = source.count("\n", 0, match.start()) + 1
        where = f"{path.relative_to(ROOT)}:{line}"
        if name == "pgettext":
            yield Marked(second_text, where, context=first_text)
        elif name == "ngettext":
            yield Marked(first_text, where, plural=second_text)
        else:
            yield Marked(first_text, where)


TEMPLATE_VALUE = re.compile(r"""\b_\((["'])((?:(?!\1).)*)\1\)""")


def template_strings(path: Path) -> Iterator[Marked]:
    """The msgids the template engine will look up, from the parsed nodes
    (Django's TranslateNode and BlockTranslateNode), with `%` doubled as
    they double it."""
    from django.template import engines
    from django.templatetags.i18n import BlockTranslateNode, TranslateNode

    engine = engines["django"].engine  # type: ignore[attr-defined]
    template = engine.from_string(path.read_text())
    where = str(path.relative_to(ROOT))

    def context_of(node) -> str:
        context = node.message_context
        if context is None:
            return ""
        return str(getattr(context.var, "literal", None) or context.var)

    def walk(nodelist) -> Iterator[Marked]:
        for node in nodelist:
            if isinstance(node, TranslateNode):
                var = node.filter_expression.var
                literal = getattr(var, "literal", None)
                if isinstance(literal, str) and not node.noop:
                    yield Marked(literal.replace("%", "%%"), where, context_of(node))
            elif isinstance(node, BlockTranslateNode):
                singular, _vars = node.render_token_list(node.singular)
                plural = ""
                if node.plural and node.countervar and node.counter:
                    plural, _vars = node.render_token_list(node.plural)
                yield Marked(singular, where, context_of(node), plural)
            for attribute in getattr(node, "child_nodelists", ()):
                yield from walk(getattr(node, attribute, None) or [])

    yield from walk(template.nodelist)
    # _("…") as a value in a tag ({% include … with text=_("…") %}).
    for match in TEMPLATE_VALUE.finditer(template.source):
        yield Marked(match.group(2).replace("%", "%%"), where)


def marked_strings() -> list[Marked]:
    """Every string marked for translation in what the project ships:
    templates (HTML, text, the service worker's script), Python, scripts."""
    found: list[Marked] = []
    for suffix in (".html", ".txt"):
        for path in source_files(suffix):
            if "templates" in path.parts:
                found += template_strings(path)
    for path in source_files(".py"):
        found += python_strings(path)
    for path in source_files(".js"):
        if "templates" in path.parts:
            found += template_strings(path)
        found += script_strings(path)
    return found


if __name__ == "__main__":
    sys.exit(main())
