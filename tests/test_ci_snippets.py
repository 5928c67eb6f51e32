"""First contact: the licence, the install instructions, and docs/ci.md's CI configuration run as written
in a repository that holds only .rule files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CI_DOC = ROOT / "docs" / "ci.md"
# The one install command of the docs: guize is not on a package index, so it comes from its git repository.
INSTALL = 'pip install "guize @ git+${GUIZE_REPO}@${GUIZE_REF}"'
SLOW = "GUIZE_SLOW_TESTS"  # set to 1 to run the test that installs guize from git into a new venv


def test_license_is_the_apache_license_pyproject_names() -> None:
    import tomllib

    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.split()[:4] == ["Apache", "License", "Version", "2.0,"]
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]


def test_every_install_instruction_can_be_followed() -> None:
    """No `pip install guize==…` or `guize[batch]` from an index, no link to a package index page:
    guize is installed from its git repository or from a checkout."""
    texts = {p.relative_to(ROOT): p.read_text(encoding="utf-8")
             for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "src").rglob("*.py"))]}
    commands = [(path, m[0]) for path, text in texts.items() for m in re.finditer(r"pip install[^\n`]*", text)]
    assert commands
    for path, command in commands:
        allowed = ("git+${GUIZE_REPO}@${GUIZE_REF}" in command
                   or command.startswith(("pip install numpy pyarrow", "pip install --upgrade pip",
                                       "pip install starlette uvicorn", "pip install openpyxl"))
                   or re.match(r"pip install (-e )?'?\.(\[\w+\])?'?( |$)", command))
        assert allowed, (path, command)
    for path, text in texts.items():
        assert "pypi.org" not in text and "guize==" not in text, path


def _yaml_blocks() -> list[Any]:
    yaml = pytest.importorskip("yaml")
    doc = CI_DOC.read_text(encoding="utf-8")
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", doc, re.S)]


def _rules_repository(tmp_path: Path) -> Path:
    """A git repository holding nothing but the corpus's .rule files."""
    repo = tmp_path / "rules"
    for source in (ROOT / "policies").rglob("*.rule"):
        target = repo / source.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    git = ["git", "-c", "user.name=guize", "-c", "user.email=guize@example.invalid", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "rules"], cwd=repo, check=True)
    assert {p.suffix for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts} == {".rule"}
    return repo


def _run(command: str, repo: Path, bin_dir: Path) -> subprocess.CompletedProcess[str]:
    """One step of the snippet, run by a shell in the repository as the CI runner would."""
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(["bash", "-eo", "pipefail", "-c", command], cwd=repo, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)


def _steps() -> tuple[dict[str, Any], list[str], list[str]]:
    blocks = _yaml_blocks()
    workflow = blocks[0]
    steps = workflow["jobs"]["rules"]["steps"]
    gitlab = next(b for b in blocks if isinstance(b, dict) and "guize" in b)["guize"]
    return workflow, [s["run"] for s in steps if "run" in s], list(gitlab["script"])


def test_ci_snippets_need_nothing_a_rules_repository_lacks() -> None:
    workflow, github, gitlab = _steps()
    setup = next(s for s in workflow["jobs"]["rules"]["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    assert "cache" not in setup.get("with", {})  # `cache: pip` fails without a requirements file
    assert github[0] == INSTALL and gitlab[0] == INSTALL
    assert workflow["env"] == {"GUIZE_REPO": "${{ vars.GUIZE_REPO }}", "GUIZE_REF": "${{ vars.GUIZE_REF }}"}
    doc = CI_DOC.read_text(encoding="utf-8")
    assert "pip install -e" not in doc and "rev: v" not in doc and "<guize" not in doc


def test_ci_snippets_run_in_a_rules_only_repository(tmp_path: Path) -> None:
    """Every step after the install, exactly as docs/ci.md writes it, with the guize installed here."""
    _, github, gitlab = _steps()
    blocks = _yaml_blocks()
    annotations = next(b for b in blocks if isinstance(b, list) and "run" in b[0])
    local_hooks = next(b for b in blocks if isinstance(b, dict) and "repos" in b)
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "guize").exists()
    os.environ.setdefault("GUIZE_CACHE_DIR", str(tmp_path / "cache"))

    repo = _rules_repository(tmp_path)
    for command in [*github[1:], annotations[0]["run"]]:
        result = _run(command, repo, bin_dir)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    sarif = json.loads((repo / "guize-lint.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert int(ET.parse(repo / "junit.xml").getroot().get("tests", "0")) > 0

    repo = _rules_repository(tmp_path / "gitlab")
    for command in gitlab[1:]:
        result = _run(command, repo, bin_dir)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    assert isinstance(json.loads((repo / "gl-code-quality.json").read_text(encoding="utf-8")), list)
    assert (repo / "junit.xml").exists()

    # The local pre-commit hook: its entry with the staged .rule files, as pre-commit passes them.
    (hook,) = local_hooks["repos"][0]["hooks"]
    files = sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if re.search(hook["files"], p.name))
    result = _run(" ".join([hook["entry"], *files]), repo, bin_dir)
    assert files and result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not os.environ.get(SLOW), reason=f"installs guize from git into a new venv (slow, needs the "
                    f"package index for lark, attrs and click): set {SLOW}=1")
def test_install_snippet_installs_guize_from_this_repository(tmp_path: Path) -> None:
    """The install step itself, with GUIZE_REPO the file:// URL of this checkout and GUIZE_REF its HEAD."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # The pip bundled with an older Python refuses a git+file:// URL; CI images have a recent one.
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    os.environ.setdefault("GUIZE_CACHE_DIR", str(tmp_path / "cache"))
    env_vars = f"GUIZE_REPO={ROOT.as_uri()} GUIZE_REF={head.stdout.strip()}"
    result = _run(f"export {env_vars}; {INSTALL}", tmp_path, venv / "bin")
    assert result.returncode == 0, result.stdout + result.stderr
    repo = _rules_repository(tmp_path)
    result = _run("guize check policies/", repo, venv / "bin")
    assert result.returncode == 0 and "通过" in result.stdout, result.stdout + result.stderr
