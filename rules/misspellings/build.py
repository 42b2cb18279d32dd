"""Rebuild ``typos-en.csv`` from crate-ci/typos (MIT OR Apache-2.0). Not run by talklint or CI.

typos ships its dictionary compiled into its binary (PyPI package ``typos``), not as a data
file. This script recovers it without guessing: every lowercase run of 3+ letters in the binary
holds the dictionary's strings glued together, so every substring of those runs (3-40 letters)
is given to ``typos --format json -``, one per line; what typos reports as a typo, with its
corrections, is exactly an entry of its dictionary. (Two-letter keys are probed separately.)
Then the entries that would be false positives in English prose are dropped (see FILTERS below
and README.md).

Usage (Debian word lists are only used to filter; none of their words are shipped):

    pip download --no-deps -d /tmp/typos typos && unzip /tmp/typos/*.whl -d /tmp/typos
    apt-get install wamerican-huge wbritish-huge wfrench wngerman wspanish witalian \
        wportuguese wdutch
    pip download --no-deps -d /tmp/names names && tar xzf /tmp/names/names-*.tar.gz -C /tmp/names
    python3 rules/misspellings/build.py /tmp/typos/typos-*.data/scripts/typos /tmp/names/names-*/names

A third argument, a JSON dump of an earlier probe (``{misspelling: [corrections]}``), skips the
probing and only filters again.
"""

from __future__ import annotations

import itertools
import json
import re
import string
import subprocess
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "typos-en.csv"
DICT = Path("/usr/share/dict")
ENGLISH = ["american-english-huge", "british-english-huge"]
FOREIGN = ["french", "ngerman", "spanish", "italian", "portuguese", "dutch"]

# Three-letter keys are mostly abbreviations, names or foreign words (`ist`, `sur`, `ned`,
# `ect`); only these, never anything else, are kept.
KEEP_3 = set("""
teh hte adn anf tje tge yhe rhe tbe thq ths tht wih whn wht wya wqs yuo ypu yiu uou oyu otu
hsi ihs nto iin fwe nwe fnd mch lke knw wll hve hda thm tme shw bck mke tke oen onl oly ony
ody ofr opf oif eyt evn hge lso yto tto tyo
""".split())

# Given names and the 5,000 most common surnames of the US census (public domain), from the
# PyPI package `names` (MIT): a misspelling that is also a name is left out.
NAMES = "names"  # folder of the unpacked package: names/dist.{male,female}.first, dist.all.last
TOP_SURNAMES = 5000

# Reviewed by hand: keys that are names, words or common abbreviations in English prose about
# technology and events (found by reading the list and the findings on real pages).
DENY = set("""
sebastiaan christiaan dameon meranda carolan constans karam asai reay
""".split())


def probe(typos: str) -> dict[str, list[str]]:
    data = Path(typos).read_bytes()
    runs = [r.decode() for r in re.findall(rb"[a-z]{3,}", data)]
    found: dict[str, list[str]] = {}

    def ask(words):
        out = subprocess.run([typos, "--format", "json", "-"], input="\n".join(words) + "\n",
                             capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            d = json.loads(line)
            if d.get("type") == "typo":
                found[d["typo"]] = d["corrections"]

    ask(a + b for a, b in itertools.product(string.ascii_lowercase, repeat=2))
    batch: set[str] = set()
    for r in runs:
        for i in range(len(r)):
            for n in range(3, min(40, len(r) - i) + 1):
                batch.add(r[i:i + n])
        if len(batch) > 3_000_000:
            ask(batch)
            batch = set()
    ask(batch)
    return found


def _fold(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in word if not unicodedata.combining(c))


def _words(name: str, fold: bool) -> set[str]:
    out: set[str] = set()
    for line in (DICT / name).read_text(encoding="utf-8", errors="replace").splitlines():
        if line.strip():
            out.add(_fold(line.strip()) if fold else line.strip().lower())
    return out


def _names(folder: Path) -> set[str]:
    out: set[str] = set()
    for name in ("dist.male.first", "dist.female.first"):
        out |= {line.split()[0].lower() for line in (folder / name).read_text().splitlines() if line.strip()}
    surnames = [line.split()[0].lower() for line in (folder / "dist.all.last").read_text().splitlines() if line.strip()]
    return out | set(surnames[:TOP_SURNAMES])


def filtered(found: dict[str, list[str]], names_folder: Path) -> tuple[dict[str, list[str]], dict[str, int]]:
    english = set().union(*(_words(n, fold=True) for n in ENGLISH))
    names = _names(names_folder)
    # A key that is a word (written without accents) in two or more of the other languages is
    # a common Latin-script word (`als`, `alle`, `adresse`, `controle`); one that is a word in a
    # single language stays (`programm`, `accomodate`): on an English page it is a misspelling,
    # and text in that language is skipped by the rule itself.
    foreign_lists = [_words(n, fold=False) for n in FOREIGN]
    kept: dict[str, list[str]] = {}
    dropped = {"short": 0, "english": 0, "foreign": 0, "name": 0, "hex": 0, "deny": 0}
    for key, fixes in found.items():
        if len(key) < 3 or (len(key) == 3 and key not in KEEP_3):
            dropped["short"] += 1
        elif key in english:
            dropped["english"] += 1
        elif sum(key in words for words in foreign_lists) >= 2:
            dropped["foreign"] += 1
        elif key in names:
            dropped["name"] += 1
        elif re.fullmatch(r"[a-f]+", key):
            dropped["hex"] += 1
        elif key in DENY:
            dropped["deny"] += 1
        else:
            kept[key] = fixes
    return kept, dropped


HEADER = """\
# Known English misspellings and their corrections: `misspelling,correction[,correction...]`.
# Used by TL211 misspelling. See README.md beside this file for the source and the filtering.
#
# Source: the dictionary built into crate-ci/typos ({version}), https://github.com/crate-ci/typos
# Licence: MIT OR Apache-2.0, Copyright (c) Individual contributors (typos).
# {total} entries in typos; {kept} kept here, dropped: {dropped} (see README.md).
"""


def main(argv: list[str]) -> int:
    typos = argv[1]
    version = subprocess.run([typos, "--version"], capture_output=True, text=True).stdout.strip()
    if len(argv) > 3:  # a JSON dump of a previous probe ({key: [corrections]}), to re-filter only
        found = json.loads(Path(argv[3]).read_text(encoding="utf-8"))
    else:
        found = probe(typos)
    kept, dropped = filtered(found, Path(argv[2]))
    detail = ", ".join(f"{n} as {why}" for why, n in dropped.items())
    lines = [HEADER.format(version=version, total=len(found), kept=len(kept), dropped=detail)]
    for key in sorted(kept):
        lines.append(",".join([key, *kept[key]]) + "\n")
    OUT.write_text("".join(lines), encoding="utf-8")
    print(f"{len(found)} entries, {len(kept)} kept: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
