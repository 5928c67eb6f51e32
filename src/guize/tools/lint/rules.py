"""guize lint: the catalogue of rules (codes, names, severities, texts for docs and SARIF)."""

from __future__ import annotations

import attrs

EXPIRY_WARNING_DAYS = 90


@attrs.frozen
class Rule:
    code: str
    name: str  # a stable English id, for SARIF
    severity: str  # error / warning / info (a finding may be milder than its rule's default)
    title: str
    what: str
    silence: str
    help_uri: str | None = None


_IGNORE = "在该行末尾或上一行写「# guize-lint: 忽略 {code} 理由」"

RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("L001", "suppression-without-reason", "warning", "忽略注释没有写理由",
         "「# guize-lint: 忽略 L…」后面必须写明理由；没有理由的忽略注释不生效。",
         "补上理由"),
    Rule("L002", "bad-suppression", "warning", "忽略注释无法识别或代码未知",
         "忽略注释的格式不对，或其中的代码不是已知的 lint 规则或检查器警告（错误不能忽略）。",
         "改正代码或删去该注释"),
    Rule("L003", "unused-suppression", "info", "忽略注释没有用上",
         "忽略注释所在行（或下一行）没有对应代码的发现。",
         "删去该注释"),
    Rule("L101", "band-gap", "warning", "分段之间有空档",
         "相邻两个分段之间有取值不属于任何分段（有「其他」时为提示：空档取「其他」）。",
         "补齐边界，或 " + _IGNORE.format(code="L101")),
    Rule("L102", "band-open-end", "warning", "分段未覆盖最低段以下或最高段以上",
         "没有「其他」时，低于最低分段或高于最高分段的取值会在计算时出错。以 0（含）起算的最低分段不算空档。",
         "加「其他」或补上分段，或 " + _IGNORE.format(code="L102")),
    Rule("L103", "band-wording-mixed", "warning", "分段边界用词不一致",
         "同一张分段表里，有的边界用「以上/以下/以内」（含本数），有的用「超过/不满/低于」（不含本数），"
         "且都没有用（含）/（不含）写明。",
         "在边界处写明（含…）/（不含…），或 " + _IGNORE.format(code="L103")),
    Rule("L104", "bound-word-contradiction", "warning", "边界用词与括号矛盾",
         "「超过/不满/低于」等不含本数的词又写了（含…），用词自相矛盾，请起草人确认。",
         "删去矛盾的一方，或 " + _IGNORE.format(code="L104")),
    Rule("L105", "bound-default-overridden", "info", "括号改变了用词的默认含义",
         "「以上/以下/以内」按《民法典》第一千二百五十九条含本数，这里用（不含…）改变了默认含义。",
         _IGNORE.format(code="L105")),
    Rule("L106", "other-hides-members", "info", "「其他」代替了未列出的枚举值",
         "按枚举列出的表用「其他」代替了若干取值；若这些取值本应不同，请逐一列出。",
         "逐一列出这些取值，或 " + _IGNORE.format(code="L106")),
    Rule("L201", "version-gap-at-end", "warning", "最后一个版本在文件失效前截止",
         "最后一个按日期的版本写了「至…」，而文件在那之后仍然有效：之后的日期没有取值。"
         "（版本之间的空档由检查器报告：W281。）",
         "调整日期，或 " + _IGNORE.format(code="L201")),
    Rule("L202", "version-outside-window", "warning", "版本日期在文件有效期之外",
         "第一个版本整个在文件施行日期之前，或某版本截止于文件有效期之后：超出的部分永远不会被采用。"
         "（第一个之后的版本早于施行日期是检查器错误 E284。）",
         "按文件有效期改写日期，或 " + _IGNORE.format(code="L202")),
    Rule("L203", "document-expiring", "warning", "文件即将失效",
         f"文件的有效期将在 --as-of 日期后 {EXPIRY_WARNING_DAYS} 天内届满（已被文件库中其他文件废止的除外）。",
         "准备替代文件，或 " + _IGNORE.format(code="L203")),
    Rule("L204", "document-expired", "info", "文件已失效",
         "文件的有效期在 --as-of 日期之前已经届满；之后的日期计算时会报「不在有效期」。",
         _IGNORE.format(code="L204")),
    Rule("L301", "constant-condition", "warning", "条件恒成立或恒不成立",
         "「若」的条件只由常量和参数决定，结果恒为「是」或恒为「否」。",
         "改写条件，或 " + _IGNORE.format(code="L301")),
    Rule("L302", "unreachable-branch", "warning", "分支永远不会被采用",
         "前面已有恒成立的条件，或同样的条件已经写过，这一分支永远不会被采用。",
         "删去或改写该分支，或 " + _IGNORE.format(code="L302")),
    Rule("L303", "unreachable-case", "warning", "分段或表行永远不会被采用",
         "整数分段对象的某一分段不含任何整数，或分段/表的对象是常量。",
         "删去或改写该行，或 " + _IGNORE.format(code="L303")),
    Rule("L304", "unreachable-other", "warning", "「其他」永远不会被采用",
         "分段已覆盖全部数值，或表已列出枚举的全部取值，「其他」多余。",
         "删去「其他」，或 " + _IGNORE.format(code="L304")),
    Rule("L305", "unused-definition", "warning", "定义没有被任何输出使用",
         "这个定义、参数或表既不是输出，也不被任何输出（直接或间接）用到。",
         "删去，或改为「输出」，或 " + _IGNORE.format(code="L305")),
    Rule("L306", "unused-input", "warning", "输入没有被任何输出读取",
         "没有任何输出（直接或间接）读取这个输入。",
         "删去该输入，或 " + _IGNORE.format(code="L306")),
    Rule("L401", "missing-citation", "warning", "定义没有写依据",
         "定义、参数、表或输出没有写「依据 第…条」（整段没有，且并非每一行都有）。",
         "写上「依据 第…条」，或 " + _IGNORE.format(code="L401")),
    Rule("L402", "input-missing-citation", "info", "输入没有写依据",
         "输入没有写「依据 第…条」。",
         "写上「依据 第…条」，或 " + _IGNORE.format(code="L402")),
    Rule("L403", "rate-out-of-range", "warning", "比率超出 0–100%",
         "比率类定义中的百分数常量，或恒定的比率参数，小于 0 或大于 100%。",
         "改正数值，或 " + _IGNORE.format(code="L403")),
    Rule("L404", "cap-below-floor", "error", "上限低于下限",
         "「最高」/「取较小值」的常量上限低于嵌套在内的「最低」/「取较大值」的常量下限：结果恒为常量，与输入无关。",
         "改正上限或下限，或 " + _IGNORE.format(code="L404")),
    Rule("L407", "unrounded-division", "info", "未舍入的除法使批量计算逐行进行",
         "公式中除法的商未舍入（保留 34 位有效数字），按列批量计算（evaluate_batch、guize run）无法按列进行，"
         "用到它的输出逐行计算。",
         "按条文对商舍入，如「向下取整(a ÷ b)」；条文不舍入时 " + _IGNORE.format(code="L407")),
    Rule("L406", "rounded-output-used", "info", "用到另一输出舍入后的值",
         "一个定义或输出的公式引用了另一个输出，而那个输出有默认的舍入（金额四舍五入到分）：用到的是舍入后的值。"
         "法条的中间数额通常是精确的，除非条文写明舍入。",
         "把共同的公式写成「定义」让两个输出都引用它；或在被引用的输出上写明舍入方式，或 " + _IGNORE.format(code="L406")),
    Rule("L405", "quick-deduction-mismatch", "error", "速算扣除数与税率表不符",
         "名称含「速算扣除数」、逐档列出的常量与同一文件中边界相同的超额累进税率表推算的速算扣除数不同"
         "（速算扣除数 = 该档税率 × 基数 − 逐档累进计算的税额）。",
         "改正数值；或删去这张表，改用「速算扣除数(税率表，基数)」，" + _IGNORE.format(code="L405")),
    Rule("L408", "citation-without-text", "warning", "依据的条款没有原文",
         "文件用「原文 第…条：」保存了条文，但这个依据所在的条没有原文：读者看不到它依据的条文，"
         "条款序号写错时也无从发现。（文件没有任何原文时不报告。）",
         "补上该条的原文，或核对条款序号，或 " + _IGNORE.format(code="L408")),
    Rule("L409", "uncited-text", "info", "原文没有被任何依据引用",
         "文件保存了这一条的原文，但没有任何输入、定义或断言依据它。",
         "删去该原文，或在依据它的规则上写「依据 第…条」"),
)}
