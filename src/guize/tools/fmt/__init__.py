"""Print a parsed .rule file in the one canonical layout (`guize fmt`).

The layout is printed from the syntax tree, never patched into the source, so two
files with the same tree and comments format to the same bytes. The rules (docs/fmt.md):

* Indentation: two spaces per level; tabs and U+3000 are gone.
* Punctuation: full-width 「：」 after field names, case keys, 例 names and 日期; full-width
  「，」 (before 默认 and a rounding, and between call arguments) and 「、」; full-width
  （） in types, band qualifiers and document references. Expressions are formulas:
  half-width parentheses and operators with a space either side: + - × ÷ = ≠ > < ≥ ≤.
  Sentence terminators (。；) at line ends are dropped.
* Keywords take one spelling: 若 (not 如果), 且/或 (not 并且/或者), 参照 (not 同),
  其他 (not 其余), 例 (not 示例/测试), 期望 (not 预期); 若 … 则 value, 若 …：/否则：
  before a nested block; range bands use 至 (not — ～ ~). Comparison and band words
  (超过, 高于, 不满, 低于, 达到 …) stay as written: they quote the gazette. 例 names and
  issuers are bare when they are one name (or names), else quoted 「…」 (“…” if they hold 」).
* Literals: numbers exactly as written (Number.text), dates as 2024年4月26日, 有效期 as
  written; band qualifiers always name their bound: 40支以上（含40支）.
* A citation follows its line after two spaces (「  依据 第十四条」); so does a trailing
  comment. Columns are not aligned.
* Statements: one blank line between top-level statements, except that adjacent one-line
  statements (类型, 输入, 参数/定义/输出 … = …) stay together when the source has no blank
  line between them. Blank lines inside a statement are removed.
* Order: statements keep their order; document fields are put in the order 标题 文号
  发布机关 发布日期 施行日期 截止日期 有效期 废止/替代 沿革 备注; an example lists 日期,
  inputs, then 期望.
* Long lines: a line wider than 100 columns (CJK counts two; the citation counts, a
  trailing comment does not) breaks the outermost function call that does not fit, one
  argument per line, the closing parenthesis on a line of its own. A 废止 list too wide
  for one line becomes a block with one document per line. Other long lines stay long.
* Comments: a trailing comment stays on the line holding its code; a full-line comment
  goes before the next line of code, at its indentation, unless it is indented deeper
  than that line, in which case it stays after the previous line (a continued trailing
  comment, or a note closing a nested block). Between top-level statements, one blank
  line is kept wherever the source had blank lines.

`format_source` re-parses its own output and refuses (FormatError) if the tree or the
comments would change; `same_meaning` is that comparison.

One module per role: layout (the layout engine), spelling (leaves), exprs (expressions),
printer (statements), comments (comment attachment, blank lines, assembly), equivalence
(tree comparison), entry (format_tree, format_source).
"""

from guize.tools.fmt.entry import format_source, format_tree
from guize.tools.fmt.equivalence import canonical, same_meaning
from guize.tools.fmt.spelling import FormatError

__all__ = ["FormatError", "canonical", "format_source", "format_tree", "same_meaning"]
