"""The hooks of ``.pre-commit-hooks.yaml``, run by pre-commit itself on a repository of
records, as a user's ``.pre-commit-config.yaml`` would run them.

pre-commit installs this repository (from a committed copy of the working tree) into
an environment of its own with pip, once per test session: slow, hence ``slow``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import koreaevents as ke

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
GIT = shutil.which("git")
_ENV = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
}


def _git(cwd: Path, *args: str) -> str:
    assert GIT is not None
    done = subprocess.run(
        [GIT, *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **_ENV},
    )
    return done.stdout


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of this checkout's working tree (tracked and new files), so the
    hooks run as they are now, and pre-commit installs them once a session."""
    pytest.importorskip("pre_commit")
    if GIT is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout of koreaevents")
    copy = tmp_path_factory.mktemp("hooks") / "koreaevents"
    listed = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    _git(copy, "init", "-q")
    _git(copy, "add", "-A")
    _git(copy, "commit", "-q", "-m", "hooks under test")
    return copy


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def records_repo(tmp_path: Path) -> Path:
    """A git repository whose root is a dataset of records, committed."""
    repo = tmp_path / "records"
    ke.write_json(ke.load(), repo, layout="jsonl")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "records")
    return repo


# What pip says when it cannot reach a package index: the hooks cannot be installed.
_OFFLINE = (
    "No matching distribution found",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
)


def _try_repo(repo: Path, hooks: Path, home: Path, hook: str) -> subprocess.CompletedProcess[str]:
    _git(repo, "add", "-A")
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), hook, "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **_ENV, "PRE_COMMIT_HOME": str(home)},
        timeout=1800,
    )
    if done.returncode == 3 or "An unexpected error has occurred" in done.stdout:
        log = home / "pre-commit.log"
        text = done.stdout + done.stderr + (log.read_text("utf-8") if log.is_file() else "")
        if any(sign in text for sign in _OFFLINE):
            pytest.skip("pre-commit cannot install the hooks: no package index reachable")
    return done


def test_the_hooks_file_declares_both_hooks() -> None:
    pytest.importorskip("pre_commit")
    text = (ROOT / ".pre-commit-hooks.yaml").read_text("utf-8")
    assert "- id: koreaevents-validate" in text
    assert "- id: koreaevents-fmt" in text
    checked = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_validate_hook_passes_clean_data_and_names_a_broken_record(
    records_repo: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    clean = _try_repo(records_repo, hook_repo, pre_commit_home, "koreaevents-validate")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
    events = records_repo / "events.jsonl"
    lines = events.read_text("utf-8").split("\n")
    record = json.loads(lines[0])
    record["location"]["lat"] = 200
    lines[0] = json.dumps(record)
    events.write_text("\n".join(lines), encoding="utf-8")
    broken = _try_repo(records_repo, hook_repo, pre_commit_home, "koreaevents-validate")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout
    assert "events.jsonl:1:" in broken.stdout and "/location/lat" in broken.stdout


def test_fmt_hook_fixes_files_in_place_and_then_passes(
    records_repo: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    canonical = (records_repo / "sources.jsonl").read_bytes()
    lines = [json.loads(line) for line in canonical.decode("utf-8").split("\n") if line]
    messy = "".join(json.dumps(item, indent=1).replace("\n", " ") + "\n" for item in lines[::-1])
    (records_repo / "sources.jsonl").write_text(messy, "utf-8")
    fixed = _try_repo(records_repo, hook_repo, pre_commit_home, "koreaevents-fmt")
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr  # a formatter that changed files
    assert "files were modified by this hook" in fixed.stdout
    assert (records_repo / "sources.jsonl").read_bytes() == canonical
    again = _try_repo(records_repo, hook_repo, pre_commit_home, "koreaevents-fmt")
    assert again.returncode == 0, again.stdout + again.stderr
