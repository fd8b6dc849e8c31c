"""The docs say what the program does: every example on the tutorial pages runs as shown.

On each page, in order and in a fresh working folder: a ```json block with a
``title="path"`` is written to that path (the file the reader is told to create); a
```pycon block runs as a doctest; a ```console block runs each ``$ koreaevents …``
command and compares what it prints (stdout, then stderr) with the lines below it.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import re
import shlex
from pathlib import Path

import pytest

from koreaevents import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [DOCS / "index.md", *sorted((DOCS / "tutorial").glob("*.md"))]
FENCE = re.compile(r"^```(?P<lang>[\w-]+)(?P<attrs>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
TITLE = re.compile(r'title="(?P<title>[^"]+)"')
EXIT_SUFFIX = '; echo "exit $?"'
FLAGS = doctest.ELLIPSIS


def _blocks(page: Path) -> list[tuple[str, str, str, int]]:
    text = page.read_text(encoding="utf-8")
    return [
        (m["lang"], m["attrs"], m["body"], text.count("\n", 0, m.start()) + 2)
        for m in FENCE.finditer(text)
    ]


def _run_command(command: str) -> str:
    show_exit = command.endswith(EXIT_SUFFIX)
    words = shlex.split(command.removesuffix(EXIT_SUFFIX))
    if words[:1] == ["koreaevents"]:
        argv = words[1:]
    elif words[:3] == ["python", "-m", "koreaevents"]:
        argv = words[3:]
    else:
        pytest.fail(f"a console block runs something other than koreaevents: {command}")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    if not show_exit:
        assert code == 0, f"`{command}` exited {code}:\n{out.getvalue()}{err.getvalue()}"
    return out.getvalue() + err.getvalue() + (f"exit {code}\n" if show_exit else "")


def _run_console(body: str, where: str) -> None:
    command: str | None = None
    want: list[str] = []
    checker = doctest.OutputChecker()

    def finish() -> None:
        if command is None:
            return
        got = _run_command(command)
        expected = "".join(line + "\n" for line in want)
        assert checker.check_output(expected, got, FLAGS), (
            f"{where}: `{command}` printed\n{got}\nbut the page shows\n{expected}"
        )

    for line in body.splitlines():
        if line.startswith("$ "):
            finish()
            command, want = line[2:], []
        else:
            want.append(line)
    finish()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_examples_on_the_page_run_as_shown(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    globs: dict[str, object] = {}
    ran = 0
    for lang, attrs, body, line in _blocks(page):
        where = f"{page.relative_to(ROOT)}:{line}"
        title = TITLE.search(attrs)
        if lang == "json" and title:
            target = tmp_path / title["title"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
        elif lang == "pycon":
            test = doctest.DocTestParser().get_doctest(body, globs, where, str(page), line)
            runner = doctest.DocTestRunner(optionflags=FLAGS)
            report: list[str] = []
            result = runner.run(test, out=report.append, clear_globs=False)
            assert result.failed == 0, "".join(report)
            globs.update(test.globs)  # the DocTest ran on a copy: later blocks need its names
            ran += 1
        elif lang == "console":
            _run_console(body, where)
            ran += 1
    assert ran, f"{page} has no example to run"


def test_every_tutorial_page_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in PAGES:
        assert str(page.relative_to(DOCS)) in nav, f"{page} is missing from mkdocs.yml nav"


def test_python_reference_lists_every_public_name() -> None:
    """The API page is generated from ``koreaevents.__all__``: nothing public is left out."""
    pytest.importorskip("mkdocs")
    import importlib.util

    import koreaevents

    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    assert spec is not None and spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    page = hooks.render_python_reference()
    for name in koreaevents.__all__:
        if not name.startswith("__"):
            assert f"\n::: koreaevents.{name}\n" in page, name
