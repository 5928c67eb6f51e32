"""A statement begun with a word other languages use (枚举, 记录, 常量, 变量) gets the word guize
uses and the line rewritten with it (枚举 教育阶段：… was a bare E014 「这里不应出现」)."""

from __future__ import annotations

import pytest

from guize.compiler.diagnostics import CompileError
from guize.compiler.driver import check_source

HEAD = "文件：\n  标题：《示例》\n  施行日期：2024年1月1日\n\n"


@pytest.mark.parametrize(("line", "message", "hint"), [
    ("枚举 教育阶段：学前、小学", "「枚举」不是语句的开头：这里要用「类型」", "写成「类型 教育阶段：学前、小学」"),
    ("记录 家庭成员：", "「记录」不是语句的开头：这里要用「类型」", "写成「类型 家庭成员：」"),
    ("常量 标准 = 800元", "「常量」不是语句的开头：这里要用「参数」", "写成「参数 标准 = …」"),
])
def test_another_languages_word_gets_ours(line: str, message: str, hint: str) -> None:
    with pytest.raises(CompileError) as caught:
        check_source(HEAD + line + "\n输入 x：金额\n", "t.rule")
    found = [(d.code, d.message, d.hint, d.span.line, d.span.column) for d in caught.value.diagnostics]
    assert found[0] == ("E014", message, hint, 5, 1), found
