"""A multilingual archive written from Debian's manpages-ja, -zh, -de and -fr (real prose in
Japanese, Chinese, German and French): the same commands' pages in each language, one entry
each, with no `lang:` (detection must find it). Shared by tests/test_manpages.py and
bench/relevance.py (the `manpages` corpus)."""

from __future__ import annotations

import gzip
import re
import unicodedata
from pathlib import Path

MAN = Path("/usr/share/man")
# folder of each language's pages, by our code
FOLDERS = {"ja": "ja", "zh": "zh_CN", "de": "de", "fr": "fr"}
# commands whose section-1 page each of the four packages has
COMMANDS = (
    "ls",
    "cp",
    "mv",
    "rm",
    "mkdir",
    "chmod",
    "chown",
    "ln",
    "date",
    "cat",
    "head",
    "tail",
    "sort",
    "uniq",
    "wc",
    "du",
    "df",
    "kill",
    "find",
    "tar",
    "passwd",
)
BODY_CHARS = 4000
_INLINE = re.compile(r"\\f(?:\(..|\[[^\]]*\]|.)|\\[,/&c]|\\\*(?:\(..|.)|\\\(..|\\s[-+]?\d")
_MACRO_TEXT = frozenset(
    {"SH", "SS", "B", "I", "BR", "IR", "RB", "RI", "BI", "IB", "IP", "TP", "HP"}
)


def available() -> bool:
    """Tell whether every language's pages are installed."""
    return all((MAN / folder / "man1" / "ls.1.gz").is_file() for folder in FOLDERS.values())


def plain(troff: str) -> tuple[str, str]:
    """Return a page's NAME line and its text (headings and paragraphs), read from troff with
    its markup dropped."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for raw in troff.splitlines():
        if raw.startswith(('.\\"', "'\\\"")):
            continue
        if raw.startswith((".", "'")):
            macro, _, rest = raw[1:].partition(" ")
            if macro == "SH":
                sections.append((_text(rest.replace('"', "")), []))
                continue
            if macro not in _MACRO_TEXT:
                sections[-1][1].append("")
                continue
            raw = rest.replace('"', "")
        sections[-1][1].append(_text(raw))
    named = [(heading, _paragraphs(lines)) for heading, lines in sections[1:]]
    name = named[0][1][0] if named and named[0][1] else ""
    body = "\n\n".join(f"{heading}\n\n" + "\n\n".join(paras) for heading, paras in named[1:])
    return name, body


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:  # a few pages (passwd) are still in Latin-1
        return data.decode("latin-1")


_ACCENTS = {
    ":": "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    ",": "\u0327",
    "~": "\u0303",
}
_NAMED = {"ss": "ß", "Aq": "'", "aq": "'", "em": "—", "en": "–", "dq": '"', "lq": "“", "rq": "”"}
_SPECIAL = re.compile(r"\\(?:\*)?\((..)|\\\[(..)\]")


def _special(m: re.Match[str]) -> str:
    """Return a troff special character (\\(:a is ä, \\('e is é, \\*(Aq an apostrophe)."""
    name = m.group(1) or m.group(2)
    if name[0] in _ACCENTS:
        return unicodedata.normalize("NFC", name[1] + _ACCENTS[name[0]])
    return _NAMED.get(name, "")


def _text(raw: str) -> str:
    raw = _SPECIAL.sub(_special, raw)
    return _INLINE.sub("", raw).replace("\\-", "-").replace("\\e", "\\").replace("\\ ", " ").strip()


def _paragraphs(lines: list[str]) -> list[str]:
    return [p for p in (" ".join(chunk.split()) for chunk in "\n".join(lines).split("\n\n")) if p]


def write_manpages(root: Path) -> dict[str, str]:
    """Write the archive under root; return each entry id with the language of its page."""
    root.mkdir(parents=True, exist_ok=True)
    languages = {}
    for code, folder in FOLDERS.items():
        for command in COMMANDS:
            path = MAN / folder / "man1" / f"{command}.1.gz"
            if not path.is_file():
                continue
            name, body = plain(_decoded(gzip.decompress(path.read_bytes())))
            entry_id = f"{code}-{command}"
            title = (name or f"{command}(1)").replace("'", "''")
            front = (
                f"title: '{title}'\nauthor: manpages-{code}\ndate: 2024-01-01\nsection: {folder}\n"
            )
            text = f"---\n{front}---\n{body[:BODY_CHARS]}\n"
            (root / f"{entry_id}.md").write_text(text, encoding="utf-8")
            languages[entry_id] = code
    return languages
