"""Speed: talklint against markdownlint-cli2 and pymarkdown on the same pages, in one run.

The benchmark corpus is built reproducibly from the pages in ``benchmarks/corpus/`` (real
conference pages, see its README) and ``seeds/``: copy k of every page goes to
``<work>/pages/<k>/<original path>``, until there are ``--pages`` pages. Every tool runs as a
user runs it, in a new process, and is measured by wall time, CPU time (user + system of the
whole process tree) and peak memory, sampled every 20 ms over the process tree: the largest
sum of resident memory (RSS, which counts the pages that forked workers share with their parent
once per process) and the largest sum of proportional memory (PSS, from ``smaps_rollup``: each
shared page divided among the processes that share it, so the sum is the memory really used).

talklint runs cold (``--no-cache``: everything linted), warm (a second run over unchanged files
with the cache), and on one file (the pre-commit case); the short runs (warm, one file) are
repeated (``--repeat``) and the median shown. Every run has Python's bytecode files, as an
installed package does (a first run writes them; ``PYTHONDONTWRITEBYTECODE`` is ignored). With ``--others``, markdownlint-cli2
(npm) and pymarkdown (PyPI) are installed into ``<work>/tools`` and run on the same corpus.

    python benchmarks/speed.py --pages 10000 --others
    python benchmarks/speed.py --pages 1000 10000 100000          # how cost grows
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "benchmarks" / "corpus", ROOT / "seeds"]
MARKDOWN = {".md", ".mdx", ".markdown", ".txt"}
MARKDOWNLINT_CLI2 = "markdownlint-cli2@0.24.1"
PYMARKDOWN = "pymarkdownlnt==0.9.41"


def source_pages() -> list[tuple[Path, Path]]:
    """(file, path relative to its source folder) of every page, in a fixed order."""
    pages = []
    for folder in SOURCES:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix.lower() in MARKDOWN and path.name not in ("README.md", "SOURCES.md"):
                pages.append((path, Path(folder.name) / path.relative_to(folder)))
    return pages


def build_corpus(target: Path, n: int) -> tuple[int, int]:
    """Write ``n`` pages under ``target``; returns (pages, bytes)."""
    if target.exists():
        shutil.rmtree(target)
    pages = source_pages()
    total = 0
    for i in range(n):
        src, rel = pages[i % len(pages)]
        dest = target / str(i // len(pages)) / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        data = src.read_bytes()
        dest.write_bytes(data)
        total += len(data)
    return n, total


@dataclass
class Measure:
    wall: float
    cpu: float
    peak_mb: float  # sum of RSS
    peak_pss_mb: float  # sum of PSS
    returncode: int


def _tree_memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) summed over a process and its descendants, from /proc."""
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return rss, pss


def measure(cmd: list[str], cwd: Path, env: dict | None = None) -> Measure:
    before = os.times()
    start = time.perf_counter()
    environment = {**os.environ, **(env or {})}
    # An installed package has its bytecode compiled: measure with .pyc files, as users run it.
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    peak = peak_pss = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not stop.is_set():
            rss, pss = _tree_memory_kb(proc.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return Measure(wall, cpu, peak / 1024, peak_pss / 1024, code)


def median_of(runs: int, cmd: list[str], cwd: Path) -> Measure:
    """The run of median wall time among ``runs`` (short runs vary with the machine's load)."""
    found = sorted((measure(cmd, cwd) for _ in range(runs)), key=lambda m: m.wall)
    return found[len(found) // 2]


def talklint_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "talklint", "check", "--no-progress", "--output-format", "json",
            "--exit-zero", *args]


def has_cache_options() -> bool:
    out = subprocess.run([sys.executable, "-m", "talklint", "check", "--help"], capture_output=True, text=True).stdout
    return "--no-cache" in out


def install_others(tools: Path) -> dict[str, list[str]]:
    tools.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(tools / "npm"),
                    MARKDOWNLINT_CLI2], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(tools / "py"), PYMARKDOWN],
                   check=True)
    return {
        "markdownlint-cli2 0.24": [str(tools / "npm" / "node_modules" / ".bin" / "markdownlint-cli2"),
                                   "**/*.{md,markdown,mdx,txt}"],
        "pymarkdown 0.9": [sys.executable, "-c",
                           f"import sys; sys.path.insert(0, {str(tools / 'py')!r}); "
                           "from pymarkdown.main import PyMarkdownLint; "
                           "sys.argv = ['pymarkdown', '--continue-on-error', 'scan', '-r', '-e', '*.txt', '.']; "
                           "PyMarkdownLint().main()"],
    }


def row(name: str, m: Measure, base: Measure | None = None) -> str:
    ratio = f"{m.wall / base.wall:.2f}" if base else ""
    return f"| {name} | {m.wall:.2f} | {m.cpu:.2f} | {m.peak_mb:.0f} | {m.peak_pss_mb:.0f} | {ratio} |"


def run(n: int, work: Path, others: dict[str, list[str]], repeat: int = 5) -> None:
    corpus = work / "pages"
    pages, size = build_corpus(corpus, n)
    one = next(p for p in sorted(corpus.rglob("*.md")))
    print(f"\n### {pages:,} pages, {size / 1e6:.1f} MB\n")
    print("| run | wall s | CPU s | peak RSS MB | peak PSS MB | × markdownlint-cli2 wall |")
    print("|---|---:|---:|---:|---:|---:|")
    results: dict[str, Measure] = {}
    for name, cmd in others.items():
        results[name] = measure(cmd, corpus)
    base = results.get("markdownlint-cli2 0.24")
    cache = has_cache_options()
    cache_dir = work / "cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    cold_args = ["--no-cache"] if cache else []
    measure(talklint_cmd(*cold_args, str(one.relative_to(corpus))), corpus)  # writes the .pyc files
    results["talklint cold"] = measure(talklint_cmd(*cold_args, "."), corpus)
    if cache:
        measure(talklint_cmd("--cache-dir", str(cache_dir), "."), corpus)  # fill the cache
        results["talklint warm (cache)"] = median_of(repeat, talklint_cmd("--cache-dir", str(cache_dir), "."),
                                                     corpus)
    results["talklint one file"] = median_of(repeat, talklint_cmd(*cold_args, str(one.relative_to(corpus))), corpus)
    if base:
        one_ml = median_of(repeat, others["markdownlint-cli2 0.24"][:1] + [str(one.relative_to(corpus))], corpus)
        results["markdownlint-cli2 one file"] = one_ml
    for name, m in results.items():
        print(row(name, m, base))
    print(f"\n(peak RSS / PSS: the largest sums over the process tree, see the docstring; talklint "
          f"uses {os.cpu_count()} worker processes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="+", default=[10_000])
    parser.add_argument("--others", action="store_true", help="also run markdownlint-cli2 and pymarkdown")
    parser.add_argument("--no-pymarkdown", action="store_true", help="with --others: skip pymarkdown (slow)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs of the short measurements (warm, one file), of which the median is shown")
    options = parser.parse_args()
    work = options.work or Path(tempfile.mkdtemp(prefix="talklint-bench-"))
    others = install_others(work / "tools") if options.others else {}
    if options.no_pymarkdown:
        others.pop("pymarkdown 0.9", None)
    print(f"Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; {json.dumps(sys.platform)}")
    for n in options.pages:
        run(n, work, others, options.repeat)
    if not options.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
