"""Every ```rule block in docs/ checks cleanly and its examples pass."""

import re
from pathlib import Path

import pytest

from guize.compiler.driver import check_source
from guize.tools import testing

ROOT = Path(__file__).parent.parent
BLOCKS = [(doc.name, i, m.group(1))
          for doc in [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"] if doc.exists()
          for i, m in enumerate(re.finditer(r"```rule\n(.*?)```", doc.read_text(encoding="utf-8"), re.S))]


# A block whose first line is `# 文件名：名称.rule` is one file of a corpus: every such block of the
# same page is written beside it under its name (an amendment is checked with what it amends).
NAMED = re.compile(r"# 文件名：(\S+\.rule)\n")


@pytest.mark.parametrize(("doc", "index", "source"), BLOCKS, ids=[f"{d}#{i}" for d, i, _ in BLOCKS])
def test_rule_block(doc: str, index: int, source: str, tmp_path: Path) -> None:
    path = tmp_path / f"block{index}.rule"
    named = NAMED.match(source)
    if named:
        for other_doc, _i, other in BLOCKS:
            match = NAMED.match(other)
            if other_doc == doc and match:
                (tmp_path / match[1]).write_text(other, encoding="utf-8")
        path = tmp_path / named[1]
    path.write_text(source, encoding="utf-8")
    checked = check_source(source, str(path))
    assert [d.message for d in checked.diagnostics if d.severity == "error"] == []
    report = testing.run([str(path)])
    assert report.failed == 0, [(o.name, o.message) for o in report.outcomes if o.status != "passed"]


def test_docs_have_blocks() -> None:
    assert len([b for b in BLOCKS if b[0] == "language.md"]) >= 7
