"""Third-party rules through the ``talklint.rules`` entry-point group, installed for real.

The example plugin in ``tests/plugin_pkg`` (and a few broken ones written here) are installed
with pip into a temporary folder (``--target``, offline, no dependencies, no build isolation),
and talklint runs as a subprocess with that folder first on ``PYTHONPATH``, so
``importlib.metadata`` finds the installed ``*.dist-info/entry_points.txt`` exactly as it would
in a virtual environment.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PLUGIN_SRC = Path(__file__).parent / "plugin_pkg"

PYPROJECT = """\
[project]
name = "{dist}"
version = "0.1.0"

[project.entry-points."talklint.rules"]
{entry_point}
"""

# The build runs without isolation and offline, so it uses a backend installed here: hatchling
# (talklint's own) or else setuptools. (hatchling is not guaranteed: `pip install -e .` builds
# talklint in an isolated environment.)
HATCHLING = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.hatch.build.targets.wheel]
packages = ["{package_dir}"]
"""
SETUPTOOLS = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[tool.setuptools]
package-dir = {{"" = "{root}"}}
packages = ["{module}"]
"""


def build_backend() -> str:
    forced = os.environ.get("TALKLINT_TEST_BUILD_BACKEND")
    for name in ([forced] if forced else ["hatchling", "setuptools"]):
        if importlib.util.find_spec(name) is None:
            continue
        if name == "setuptools" and not _setuptools_builds_wheels():
            continue
        return name
    pytest.fail("the plugin tests build a package offline without build isolation: install "
                "hatchling (or setuptools>=70.1, or setuptools with wheel) in the test environment")


def _setuptools_builds_wheels() -> bool:
    """setuptools before 70.1 needs the separate `wheel` package to build a wheel."""
    from importlib.metadata import version

    if importlib.util.find_spec("wheel") is not None:
        return True
    major, minor = (int(x) for x in re.findall(r"\d+", version("setuptools"))[:2])
    return (major, minor) >= (70, 1)


def with_backend(pyproject: str, module: str, root: str) -> str:
    """``pyproject`` (without a build-system table) plus the table of the available backend."""
    if build_backend() == "hatchling":
        package_dir = f"{root}/{module}" if root != "." else module
        return pyproject + "\n" + HATCHLING.format(package_dir=package_dir)
    return pyproject + "\n" + SETUPTOOLS.format(root=root if root != "." else ".", module=module)

# Plugins that must be refused with a clear message: (distribution, entry point, module source)
BROKEN_PLUGINS = {
    "import-error": (
        "talklint-broken-plugin",
        'broken = "talklint_broken_plugin:RULES"',
        "talklint_broken_plugin",
        "import talklint_missing_dependency  # not installed anywhere\nRULES = []\n",
    ),
    "code-clash": (
        "talklint-clash-plugin",
        'clash = "talklint_clash_plugin:Clash"',
        "talklint_clash_plugin",
        textwrap.dedent('''\
            from talklint.rule import Rule


            class Clash(Rule):
                """## What it does
                Takes a code talklint already uses.

                ## Why is this bad?
                Codes are unique.

                ## Example
                None.
                """

                code = "TL901"
                name = "clashing-code"

                def check(self, ctx):
                    return ()
            '''),
    ),
    "name-clash": (
        "talklint-name-clash-plugin",
        'nameclash = "talklint_name_clash_plugin"',
        "talklint_name_clash_plugin",
        textwrap.dedent('''\
            from talklint.rule import Rule


            class SameName(Rule):
                """## What it does
                Takes a name talklint already uses.

                ## Why is this bad?
                Names are unique.

                ## Example
                None.
                """

                code = "XNC001"
                name = "binary-file"

                def check(self, ctx):
                    return ()
            '''),
    ),
}


def _pip_install(src: Path, target: Path) -> subprocess.Popen:
    env = dict(os.environ, PIP_NO_INPUT="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_ROOT_USER_ACTION="ignore")
    return subprocess.Popen(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
         "--quiet", "--target", str(target), str(src)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )


@pytest.fixture(scope="module")
def plugin_envs(tmp_path_factory) -> dict[str, Path]:
    """Install the example plugin and each broken plugin into its own folder, in parallel."""
    base = tmp_path_factory.mktemp("plugins")
    sources = {}
    # A copy, so that building never writes into the checkout.
    example = base / "src-example"
    shutil.copytree(PLUGIN_SRC, example, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    if build_backend() != "hatchling":  # swap the example's build-system table
        pyproject = (example / "pyproject.toml").read_text(encoding="utf-8")
        project = pyproject[pyproject.index("[project]"):pyproject.index("[tool.hatch")]
        (example / "pyproject.toml").write_text(
            with_backend(project, "talklint_example_plugin", "src"), encoding="utf-8")
    sources["example"] = example
    for key, (dist, entry_point, module, code) in BROKEN_PLUGINS.items():
        src = base / f"src-{key}"
        (src / module).mkdir(parents=True)
        (src / module / "__init__.py").write_text(code, encoding="utf-8")
        (src / "pyproject.toml").write_text(
            with_backend(PYPROJECT.format(dist=dist, entry_point=entry_point), module, "."), encoding="utf-8")
        sources[key] = src
    procs = {key: (_pip_install(src, base / f"site-{key}"), base / f"site-{key}")
             for key, src in sources.items()}
    envs = {}
    for key, (proc, target) in procs.items():
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"pip could not install the {key} plugin:\n{out}"
        envs[key] = target
    return envs


def talklint(args: list[str], site: Path | None, cwd: Path, stdin: str | None = None):
    env = dict(os.environ)
    env.pop("TALKLINT_DEBUG", None)
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(site)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return subprocess.run([sys.executable, "-m", "talklint", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, input=stdin, timeout=120)


def test_installed_plugin_is_a_real_distribution(plugin_envs):
    site = plugin_envs["example"]
    dist_info = next(site.glob("talklint_example_plugin-*.dist-info"))
    assert "[talklint.rules]" in (dist_info / "entry_points.txt").read_text(encoding="utf-8")
    assert (site / "talklint_example_plugin" / "__init__.py").is_file()


def test_plugin_rule_is_listed_with_its_origin(plugin_envs, tmp_path):
    result = talklint(["rules", "--output-format", "json"], plugin_envs["example"], tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {row["code"]: row for row in json.loads(result.stdout)}
    assert rows["XMP001"] == {
        "code": "XMP001", "name": "example-shouting-title", "fixable": "never",
        "severity": "warning", "default": True, "origin": "plugin talklint-example-plugin",
        "summary": "Heading written in ALL CAPS",
    }
    assert rows["TL901"]["origin"] == "talklint"  # the built-ins keep theirs

    text = talklint(["rules"], plugin_envs["example"], tmp_path)
    assert text.returncode == 0
    assert any(line.startswith("XMP001") and "example-shouting-title" in line
               for line in text.stdout.splitlines())


def test_plugin_is_absent_without_the_install(tmp_path):
    result = talklint(["rules", "--output-format", "json"], None, tmp_path)
    assert result.returncode == 0
    assert "XMP001" not in {row["code"] for row in json.loads(result.stdout)}


@pytest.mark.parametrize("token", ["XMP001", "example-shouting-title"])
def test_explain_plugin_rule(plugin_envs, tmp_path, token):
    result = talklint(["explain", token], plugin_envs["example"], tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("# XMP001 example-shouting-title\n")
    assert "From plugin talklint-example-plugin." in out
    for section in ("## What it does", "## Why is this bad?", "## Example"):
        assert section in out
    assert "Flags an ATX heading" in out
    assert "# DEPLOYING DJANGO WITHOUT TEARS" in out


PAGE = """\
---
title: Deploying Django without tears
---

# DEPLOYING DJANGO WITHOUT TEARS

Some text in CAPITALS IS FINE HERE.

## Speaker

## Q&A

```markdown
# IN A CODE BLOCK
```

###   WHAT YOU WILL LEARN ###
"""


def test_check_reports_plugin_findings_at_the_right_place(plugin_envs, tmp_path):
    page = tmp_path / "talk.md"
    page.write_text(PAGE, encoding="utf-8")
    result = talklint(["check", "--select", "XMP001", "--output-format", "json", "talk.md"],
                      plugin_envs["example"], tmp_path)
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)
    got = [(f["code"], f["line"], f["column"], f["end_line"], f["end_column"]) for f in findings]
    assert got == [("XMP001", 5, 3, 5, 33), ("XMP001", 17, 7, 17, 26)]
    lines = PAGE.splitlines()
    for f in findings:  # the span holds exactly the title the message is about
        title = lines[f["line"] - 1][f["column"] - 1:f["end_column"] - 1]
        assert f["message"] == f"Heading is written in ALL CAPS: {title!r}"
        assert f["name"] == "example-shouting-title"
        assert f["severity"] == "warning"

    text = talklint(["check", "--select", "XMP001", "--no-color", "talk.md"], plugin_envs["example"], tmp_path)
    assert text.returncode == 1
    assert "talk.md:5:3: XMP001 [example-shouting-title] Heading is written in ALL CAPS" in text.stdout


def test_plugin_rules_run_by_default_and_are_suppressible(plugin_envs, tmp_path):
    page = tmp_path / "talk.md"
    page.write_text("# HELLO WORLD\n\n<!-- talklint-disable-next-line XMP001 -->\n# GOODBYE WORLD\n",
                    encoding="utf-8")
    result = talklint(["check", "--output-format", "json", "talk.md"], plugin_envs["example"], tmp_path)
    assert result.returncode == 1, result.stderr
    assert [(f["code"], f["line"]) for f in json.loads(result.stdout)] == [("XMP001", 1)]

    clean = tmp_path / "clean.md"
    clean.write_text("# Hello world\n", encoding="utf-8")
    result = talklint(["check", "--select", "XMP001", "clean.md"], plugin_envs["example"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("command", [["rules"], ["explain", "TL901"], ["check", "page.md"]])
def test_plugin_that_fails_to_import_is_a_clear_error(plugin_envs, tmp_path, command):
    (tmp_path / "page.md").write_text("# Title\n", encoding="utf-8")
    result = talklint(command, plugin_envs["import-error"], tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "talklint: error: plugin talklint-broken-plugin (entry point broken = "
        "talklint_broken_plugin:RULES) failed to load: ModuleNotFoundError: "
        "No module named 'talklint_missing_dependency'"
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["rules"], ["check", "page.md"]])
def test_plugin_reusing_a_builtin_code_is_an_error_naming_both(plugin_envs, tmp_path, command):
    (tmp_path / "page.md").write_text("# Title\n", encoding="utf-8")
    result = talklint(command, plugin_envs["code-clash"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "talklint: error: rule code TL901 is defined twice: "
        "by TL901 unreadable-file (talklint.checks.tool.UnreadableFile, from talklint) "
        "and by TL901 clashing-code (talklint_clash_plugin.Clash, from plugin talklint-clash-plugin)"
    )
    assert "Traceback" not in result.stderr


def test_plugin_reusing_a_builtin_name_is_an_error_naming_both(plugin_envs, tmp_path):
    result = talklint(["rules"], plugin_envs["name-clash"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "talklint: error: rule name 'binary-file' is used twice: "
        "by TL902 binary-file (talklint.checks.tool.BinaryFile, from talklint) "
        "and by XNC001 binary-file (talklint_name_clash_plugin.SameName, "
        "from plugin talklint-name-clash-plugin)"
    )


@pytest.mark.parametrize("group", ["talklint.rules", "console_scripts", "pytest11", "no.such.group"])
def test_entry_points_of_a_group_are_those_importlib_finds(group):
    # The registry reads the entry points of only the distributions that name the group: the
    # same entry points, of the same distributions, in the same order as importlib.metadata's.
    from importlib import metadata

    from talklint.registry import _group_entry_points

    ours, theirs = _group_entry_points(group), list(metadata.entry_points(group=group))
    assert ours == theirs
    assert [ep.dist._path for ep in ours] == [ep.dist._path for ep in theirs]
