"""Which neighbour files may repeal a document: a text search, so that guize.load reads the
corpus without the compiler when no neighbour names the document (the usual case)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

DOCNO_YEAR = r"[\[(（【〔](\d{4})[\])）】〕]"  # what normalize_docno rewrites, as a pattern
_OPENING, _CLOSING = "[(（【〔", "])）】〕"
_AS_OPENING = str.maketrans(_OPENING, "[" * len(_OPENING))  # each opening bracket as "[", in place
# The brackets that `comparable` may rewrite: a text without them names a document as its
# comparable form does (deleting them from both keeps every match: a cheap first test).
_BRACKETS = str.maketrans("", "", "[(（【〔])）】〕〈《〉》")


class CorpusWarning(UserWarning):
    """A neighbour file that could not be read while deciding whether a document is repealed."""


def normalize_docno(text: str) -> str:
    """新政办发[2024]13号, 新政办发（2024）13号 … -> 新政办发〔2024〕13号."""
    # re.sub(DOCNO_YEAR, r"〔\1〕", text), written out: `guize eval` need not import re.
    marks = text.translate(_AS_OPENING)
    parts: list[str] = []
    done = 0
    i = marks.find("[")
    while i >= 0:
        year = text[i + 1:i + 5]
        if len(year) == 4 and year.isdecimal() and text[i + 5:i + 6] in _CLOSING and i + 6 <= len(text):
            parts += (text[done:i], "〔", year, "〕")
            done = i + 6
            i = marks.find("[", done)
        else:
            i = marks.find("[", i + 1)
    return "".join(parts) + text[done:] if parts else text


def comparable(text: str) -> str:
    """Text in which a title or 文号 can be looked for however its brackets are written."""
    return normalize_docno(text).replace("〈", "《").replace("〉", "》")


def names(documents: Iterable[Mapping[str, object]]) -> list[str]:
    """The titles and 文号 of a module's documents, as `comparable` writes them."""
    out = []
    for doc in documents:
        out += [comparable(str(doc[key])) for key in ("title", "docno") if doc.get(key)]
    return out


# The words beside which a neighbour naming a document repeals it, or amends it (a local
# document that adopts it, 参照执行, does not change it: compiler/amend.py).
REPEALING = ("废止", "替代")
LAYERING = ("修改",)


def may_be_layered(source: str) -> bool:
    """Whether a file's text may declare that it amends (修改) or adopts (参照执行) another: a
    cheap test that never misses one (compiler/amend.py reads the 文件 block to be sure)."""
    return "修改" in source or "参照执行" in source


def candidates(path: str, documents: Iterable[Mapping[str, object]], root: str,
               recursive: bool = False, words: tuple[str, ...] = REPEALING) -> tuple[list[str], list[str]]:
    """The .rule files in `root` (sorted; its subfolders too if `recursive`) other than `path`
    whose text names one of `documents` and says one of `words` (「废止」 or 「替代」), and the warnings for files
    and folders that could not be read.

    A file can repeal a document only by naming its title or 文号 under 「废止」 or 「替代」, so
    a neighbour whose text names neither, or has neither word, need not be compiled. Lines
    that are comments (# …) do not count: a file often notes in one who replaced it.
    """
    raw = [str(doc[key]) for doc in documents for key in ("title", "docno") if doc.get(key)]
    if not raw:
        return [], []
    keys = [name.translate(_BRACKETS) for name in raw]
    wanted: list[str] | None = None  # comparable names, made for the first neighbour that may name one
    warnings: list[str] = []
    try:
        files = sorted(_rule_files(root, recursive), key=lambda f: f.split(os.sep))  # as pathlib sorts
    except OSError as exc:
        return [], [f"无法读取文件库目录「{root}」（{exc.strerror or exc}），未判断是否被废止"]
    own = os.path.realpath(path)
    found = []
    for neighbour in files:
        if os.path.realpath(neighbour) == own:
            continue
        try:
            with open(neighbour, encoding="utf-8") as fh:
                source = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            reason = "不是 UTF-8 编码" if isinstance(exc, UnicodeDecodeError) else (exc.strerror or str(exc))
            warnings.append(f"文件库中的「{neighbour}」无法读取（{reason}），已跳过")
            continue
        # Quick tests first: comment lines only take words away, and brackets only differ.
        if not any(w in source for w in words):
            continue
        bare = source.translate(_BRACKETS)
        if not any(k in bare for k in keys):
            continue
        if wanted is None:
            wanted = names(documents)
        text = comparable(_without_comment_lines(source))
        if any(w in text for w in words) and any(n in text for n in wanted):
            found.append(neighbour)
    return found, warnings


def _without_comment_lines(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _rule_files(root: str, recursive: bool) -> list[str]:
    """The .rule files of a folder, as pathlib's glob (or rglob) would list them."""
    out = []
    with os.scandir(root or ".") as entries:
        for e in entries:
            name = e.name if root in ("", ".") else os.path.join(root, e.name)  # Path(".") / "a" is "a"
            if e.name.endswith(".rule") and not e.is_dir():
                out.append(name)
            elif recursive and e.is_dir(follow_symlinks=False):
                out.extend(_rule_files(name, True))
    return out
