"""The release is consistent: one version in pyproject.toml, guize.__version__, `guize --version`
and the newest numbered section of CHANGES.md (the tag is v<version>; see docs/release.md)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from click.testing import CliRunner

import guize
from guize.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_one_version_everywhere() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == guize.__version__
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"guize {guize.__version__}"


def test_changes_has_a_section_for_this_version() -> None:
    """The newest numbered section is this version's: a release is tagged where they agree, and the
    version is raised (to the next .dev0) together with a new 未发布 section after tagging."""
    headings = re.findall(r"^## (.+)$", (ROOT / "CHANGES.md").read_text(encoding="utf-8"), re.M)
    numbered = [h for h in headings if re.match(r"\d+\.\d+\.\d+", h)]
    assert numbered, headings
    newest = re.match(r"\d+\.\d+\.\d+", numbered[0])
    assert newest is not None
    version = guize.__version__
    if version.endswith(".dev0"):  # between releases: the changes so far are under 未发布
        assert headings[0] == "未发布" and newest[0] != version.removesuffix(".dev0")
    else:
        assert newest[0] == version
        assert len({h for h in numbered if h.startswith(version)}) == 1  # one section per version
