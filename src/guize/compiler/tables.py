"""Check and lower tables: rows by an enumeration (按), numeric bands (按 … 分段) and progressive
scales (超额累进 / 全额累进) with the functions that apply them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from guize.compiler import ast
from guize.compiler import types as T
from guize.compiler.diagnostics import nearest
from guize.compiler.lower import SCALE_FUNCS, ExprChecker
from guize.compiler.types import Type
from guize.runtime import dates, ir
from guize.runtime.formula import show
from guize.runtime.ir import Expr


class TableChecker(ExprChecker):

    def _match(self, block: ast.BlockValue, hint: Type | None) -> tuple[Expr, Type] | None:
        assert block.selector is not None
        subj = self._expr(block.selector.subject, None)
        if subj is None:
            return None
        sty = subj[1]
        if sty.kind != "enum":
            self.error(block.selector.subject.span,
                       f"「按」后面应是枚举（如 医院级别），这里是{sty.display()}",
                       hint="数值请写「按 … 分段」" if sty.kind == "num" else None, code="E265")
            return None
        members = self.enums[sty.enum or ""]
        seen: dict[str, ast.Span] = {}
        direct: dict[str, tuple[Expr, str, tuple[str, ...]]] = {}
        aliases: list[tuple[str, str, ast.SameValue]] = []
        cases: list[ir.Case] = []
        other: ir.Other | None = None
        ty: Type | None = hint
        ok = True
        for br in block.branches:
            assert isinstance(br, ast.CaseBranch)
            if isinstance(br.key, ast.OtherKey):
                res = self._value(br.value, ty)
                if res is None:
                    ok = False
                    continue
                ty = self._join(ty, res[1], br.span)
                other = self.mk(ir.Other, br.span, res[0], "其他", self._label_cite(br.value))
                continue
            assert isinstance(br.key, ast.EnumKey)
            for m in br.key.names:
                if m not in members:
                    near = nearest(m, list(members))
                    self.error(br.key.span, f"「{m}」不是{sty.enum}的取值（可选：{'、'.join(members)}）",
                               hint=f"是否指「{near}」？" if near else None, code="E266")
                    ok = False
                elif m in seen:
                    self.error(br.key.span, f"「{m}」重复列出（第 {seen[m].line} 行已有）", code="E267")
                    ok = False
                else:
                    seen[m] = br.key.span
            label = "、".join(br.key.names)
            if isinstance(br.value, ast.SameValue):
                for m in br.key.names:
                    aliases.append((m, br.value.target, br.value))
                continue
            res = self._value(br.value, ty)
            if res is None:
                ok = False
                continue
            ty = self._join(ty, res[1], br.span)
            cite = self._label_cite(br.value)
            for m in br.key.names:
                direct[m] = (res[0], label, cite)
            cases.append(self.mk(ir.Case, br.span, tuple(br.key.names), res[0], label, cite))
        for member, target, sv in aliases:
            seen_chain = [member]
            tgt = target
            while tgt not in direct:
                if tgt in seen_chain or tgt not in {a for a, _, _ in aliases}:
                    break
                seen_chain.append(tgt)
                tgt = next(t for a, t, _ in aliases if a == tgt)
            if tgt not in direct:
                if target not in members:
                    self.error(sv.span, f"「参照 {target}」：「{target}」不是{sty.enum}的取值", code="E266")
                else:
                    self.error(sv.span, f"「参照 {target}」：表中没有「{target}」的取值", code="E268")
                ok = False
                continue
            node, _label, cite = direct[tgt]
            cases.append(self.mk(ir.Case, sv.span, (member,), node, f"{member}（参照{target}）",
                                 self._label_cite(sv) or cite))
        missing = [m for m in members if m not in seen]
        if missing and other is None:
            self.error(block.span, f"「按 {sty.enum}」没有列出：{'、'.join(missing)}",
                       hint="补上这些取值，或加一行「其他：…」", code="E269")
            ok = False
        if not ok or ty is None:
            return None
        return self.mk(ir.Match, block.span, subj[0], tuple(cases), other), ty

    def _bands(self, block: ast.BlockValue, hint: Type | None) -> tuple[Expr, Type] | None:
        assert block.selector is not None
        subj = self._expr(block.selector.subject, None)
        if subj is None:
            return None
        sty = subj[1]
        if sty.kind != "num":
            self.error(block.selector.subject.span, f"分段的对象应是数值，这里是{sty.display()}", code="E270")
            return None
        bands: list[tuple[Any, ...]] = []
        other: ir.Other | None = None
        ty: Type | None = hint
        ok = True
        for br in block.branches:
            assert isinstance(br, ast.CaseBranch)
            res = self._value(br.value, ty)
            if res is None:
                ok = False
                continue
            ty = self._join(ty, res[1], br.span)
            if isinstance(br.key, ast.OtherKey):
                other = self.mk(ir.Other, br.span, res[0], "其他", self._label_cite(br.value))
                continue
            assert isinstance(br.key, ast.BandKey)
            lo = self._bound(br.key.lower, sty)
            hi = self._bound(br.key.upper, sty)
            if lo is False or hi is False:
                ok = False
                continue
            lo_incl = br.key.lower.inclusive if br.key.lower else False
            hi_incl = br.key.upper.inclusive if br.key.upper else False
            if lo is not None and hi is not None and (lo > hi or (lo == hi and not (lo_incl and hi_incl))):
                self.error(br.key.span, f"区间「{br.key.text}」是空的", code="E271")
                ok = False
                continue
            bands.append((lo, lo_incl, hi, hi_incl, res[0], br.key.text, self._label_cite(br.value), br.key.span,
                          br.span))
        if ok:
            ok = self._band_overlaps(bands)
        if not ok or ty is None:
            return None
        rows = tuple(self.mk(ir.Band, b[8], *b[:7]) for b in bands)
        return self.mk(ir.Bands, block.span, subj[0], rows, other), ty

    def _scale(self, block: ast.BlockValue, hint: Type, kinds: set[str],
               named: dict[str, tuple[ir.Const, Type]] | None = None) -> tuple[Expr, Type] | None:
        """A progressive scale: brackets in the law's order, contiguous, each at a rate.

        A bound written as a name (超过 起征额 至 144000元的部分) is a parameter's value: with
        `named`, its value in one period (see _scale_by_dated_bounds)."""
        word = "超额累进" if hint.scale == "excess" else "全额累进"
        if block.selector is not None:
            self.error(block.selector.span, f"{word}税率表不用「按 …」：计算时写「累进计算(税率表，金额)」",
                       hint="删去「按 …」；适用的税率用「适用税率(税率表，金额)」", code="E275")
            return None
        if kinds <= {"dated"}:
            return self._dated(block, hint)  # versions of the whole scale; each is a scale again
        if not kinds <= {"band"}:
            self.error(block.span, f"{word}税率表的每一行应是一档，如「不超过36000元的部分：3%」"
                                   f"「超过36000元至144000元的部分：10%」", code="E276")
            return None
        if named is None and _bound_names(block):
            return self._scale_by_dated_bounds(block, hint, kinds)
        brackets: list[ir.Band] = []
        dim: T.Dim | None = None
        ok = True
        prev: tuple[ast.BandKey, Decimal | int | None, bool] | None = None  # key, hi, hi_incl
        for br in block.branches:
            assert isinstance(br, ast.CaseBranch) and isinstance(br.key, ast.BandKey)
            key = br.key
            bounds: list[Decimal | int | None] = []
            for bound in (key.lower, key.upper):
                res = self._bound_number(bound.value, named) if bound is not None else None
                if bound is None or res is None:
                    ok = ok and bound is None
                    bounds.append(None)
                    continue
                node, bty = res
                if bty.kind != "num" or bty.rate or (dim is not None and bty.dim != dim):
                    self.error(bound.value.span, f"档次边界「{bound.value.text}」的单位与其他各档不一致", code="E272")
                    ok = False
                dim = bty.dim if dim is None else dim
                assert isinstance(node, ir.Const) and isinstance(node.value, (Decimal, int))
                bounds.append(node.value)
            lo, hi = bounds
            lo_incl = key.lower.inclusive if key.lower else False
            hi_incl = key.upper.inclusive if key.upper else False
            if prev is None and lo is not None and lo != 0:
                self.error(key.span, f"第一档「{key.text}」应从零开始（如「不超过36000元的部分」）", code="E278")
                ok = False
            elif prev is not None and (prev[1] is None or lo is None or prev[1] != lo or prev[2] == lo_incl):
                self.error(key.span, f"「{key.text}」没有紧接上一档「{prev[0].text}」：各档应从低到高、首尾相接、"
                                     f"边界只属于一档", hint="写成「不超过A的部分」「超过A至B的部分」「超过B的部分」",
                           code="E278")
                ok = False
            if lo is not None and hi is not None and not lo < hi:
                self.error(key.span, f"「{key.text}」是空档：下限 {lo} 不低于上限 {hi}", code="E278")
                ok = False
            prev = (key, hi, hi_incl)
            res = self._value(br.value, T.RATE)
            if res is None:
                ok = False
                continue
            if res[1].kind != "num" or not (res[1].rate or res[1].zero):
                self.error(br.value.span, f"「{key.text}」的税率应是比率（如 3%），这里是{res[1].display()}", code="E277")
                ok = False
                continue
            brackets.append(self.mk(ir.Band, br.span, lo, lo_incl, hi, hi_incl, res[0],
                                    _with_values(key.text, named), self._label_cite(br.value)))
        if prev is not None and prev[1] is not None:
            self.error(block.branches[-1].span, "最后一档应不设上限（如「超过960000元的部分」）",
                       hint="否则超过最高一档的数额无法计算", code="E279")
            ok = False
        if not ok or not brackets:
            return None
        return self.mk(ir.Scale, block.span, hint.scale, tuple(brackets)), attrs.evolve(hint, dim=dim or ())

    def _bound_number(self, value: ast.Number | ast.Name,
                      named: dict[str, tuple[ir.Const, Type]] | None) -> tuple[Expr, Type] | None:
        if isinstance(value, ast.Number):
            return self._number(value)
        assert named is not None  # INVARIANT: _scale_by_dated_bounds resolved every name
        return named[value.name]

    def _scale_by_dated_bounds(self, block: ast.BlockValue, hint: Type,
                               kinds: set[str]) -> tuple[Expr, Type] | None:
        """A scale whose bounds name parameters (超过 起征额 至 …): a scale for each period in which
        every such parameter has one value, as dated versions of the whole scale, so that one
        threshold can change on its own date and every engine reads plain scales."""
        versions: dict[str, list[tuple[Any, ...]]] = {}  # name -> (start, end excl, value, known)
        types: dict[str, Type] = {}
        ok = True
        for name, span in _bound_names(block).items():
            res = self._expr(ast.Name(name, span=span), None)
            if res is None:
                ok = False
                continue
            found = _constant_versions(self.lowered.get(name)) if isinstance(res[0], ir.Ref) else None
            if found is None or res[1].kind != "num" or res[1].rate:
                self.error(span, f"档次边界「{name}」应是取值为数值的参数（可以按日期分版本，每个版本是一个数值）",
                           hint=f"写成「参数 {name}：金额」并在下面逐行写「自…起：36000元」", code="E272")
                ok = False
                continue
            versions[name] = found
            types[name] = res[1]
        if not ok:
            return None
        days = sorted({d for vs in versions.values() for v in vs for d in (v[0], v[1]) if d is not None})
        if not days:  # constants only: one scale
            return self._scale(block, hint, kinds, {name: (self.mk(ir.Const, block.span, vs[0][2]), types[name])
                                                    for name, vs in versions.items()})
        out = []
        ty: Type | None = None
        for start, end in zip(days, [*days[1:], None], strict=True):
            picked = {name: next((v for v in vs if (v[0] is None or v[0] <= start)
                                  and (v[1] is None or start < v[1])), None)
                      for name, vs in versions.items()}
            if any(v is None for v in picked.values()):
                continue  # a parameter without a value here: the scale has none either
            named = {name: (self.mk(ir.Const, block.span, v[2]), types[name]) for name, v in picked.items()
                     if v is not None}
            before = len(self.diags)
            res = self._scale(block, hint, kinds, named)
            said = "，".join(f"{name} {show(c.value, t.display())}" for name, (c, t) in named.items())
            if res is None:  # say in which period the values do not make a scale
                self.diags[before:] = [attrs.evolve(d, message=f"{d.message}（自{dates.cn(start)}起：{said}）")
                                       for d in self.diags[before:]]
                return None
            ty = res[1]
            known = max((v[3] for v in picked.values() if v is not None and v[3] is not None), default=None)
            label = f"自{dates.cn(start)}起（{said}）"
            out.append(self.mk(ir.Version, block.span, start, end, res[0], label, (), known))
        if not out or ty is None:
            self.error(block.span, "档次边界的参数没有共同有效的日期", code="E272")
            return None
        slot = self.slot
        self.slot += 1
        return self.mk(ir.Dated, block.span, slot, self.current or "", tuple(out)), ty

    def _progressive(self, e: ast.Call, hint: Type | None) -> tuple[Expr, Type] | None:
        func = SCALE_FUNCS[e.func]
        if len(e.args) != 2:
            self.error(e.span, f"「{e.func}」需要 2 个参数：税率表和计算基数，如「{e.func}(税率表，应纳税所得额)」",
                       code="E314")
            return None
        scale = self._expr(e.args[0], None)
        base = self._expr(e.args[1], None)
        if scale is None or base is None:
            return None
        sty, bty = scale[1], base[1]
        if sty.kind != "scale":
            self.error(e.args[0].span, f"「{e.func}」的第一个参数应是累进税率表，这里是{sty.display()}",
                       hint="税率表写成「表 名称：超额累进」并逐档列出", code="E315")
            return None
        if bty.kind != "num" or (sty.dim and bty.dim != sty.dim and not bty.zero):
            self.error(e.args[1].span, f"「{e.func}」的计算基数应是{T.num(sty.dim).display()}，这里是{bty.display()}",
                       code="E315")
            return None
        if func == "deduction" and sty.scale != "excess":
            self.error(e.span, "速算扣除数只用于超额累进税率表", code="E317")
            return None
        rty = T.RATE if func == "rate" else T.num(sty.dim or bty.dim)
        return self.mk(ir.Progressive, e.span, func, scale[0], base[0]), rty

    def _bound(self, bound: ast.Bound | None, sty: Type) -> Decimal | int | None:
        if bound is None:
            return None
        if isinstance(bound.value, ast.Name):
            self.error(bound.value.span, f"分段的边界应是数值，这里是名称「{bound.value.name}」",
                       hint="以参数为边界只用于累进税率表（超额累进、全额累进）的各档", code="E272")
            return False
        res = self._number(bound.value)
        if res is None:
            return False
        node, bty = res
        if bty.kind != "num" or (bty.dim != sty.dim and not (bty.dim == () and not bty.rate)):
            self.error(bound.value.span, f"区间边界「{bound.value.text}」的单位与分段对象（{sty.display()}）不一致",
                       code="E272")
            return False
        assert isinstance(node, ir.Const) and isinstance(node.value, (Decimal, int))
        return node.value

    def _band_overlaps(self, bands: list[tuple[Any, ...]]) -> bool:
        ok = True
        for i, a in enumerate(bands):
            for b in bands[i + 1:]:
                if _intervals_overlap(a, b):
                    self.error(b[7], f"区间「{b[5]}」与「{a[5]}」重叠（第 {a[7].line} 行）",
                               hint="用（含…）/（不含…）写明边界归属，如「不满40支」与「40支以上（含40支）」",
                               code="E273")
                    ok = False
        return ok


def _intervals_overlap(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    a_lo, a_li, a_hi, a_hi_i = a[0], a[1], a[2], a[3]
    b_lo, b_li, b_hi, b_hi_i = b[0], b[1], b[2], b[3]

    def below(hi: Decimal | None, hi_incl: bool, lo: Decimal | None, lo_incl: bool) -> bool:
        # True if the interval ending at hi lies wholly below the one starting at lo.
        if hi is None or lo is None:
            return False
        return hi < lo or (hi == lo and not (hi_incl and lo_incl))

    return not (below(a_hi, a_hi_i, b_lo, b_li) or below(b_hi, b_hi_i, a_lo, a_li))


def _bound_names(block: ast.BlockValue) -> dict[str, ast.Span]:
    """The names the brackets of a scale use as bounds, in order, each where first written."""
    out: dict[str, ast.Span] = {}
    for br in block.branches:
        key = getattr(br, "key", None)
        if isinstance(key, ast.BandKey):
            for bound in (key.lower, key.upper):
                if bound is not None and isinstance(bound.value, ast.Name):
                    out.setdefault(bound.value.name, bound.value.span)
    return out


def _constant_versions(expr: Expr | None) -> list[tuple[Any, ...]] | None:
    """A parameter's values as (start, end excl, value, known): one open version for a constant,
    each version for a dated constant; None for anything else."""
    if isinstance(expr, ir.Const) and isinstance(expr.value, (Decimal, int)) and not isinstance(expr.value, bool):
        return [(None, None, expr.value, None)]
    if isinstance(expr, ir.Dated) and all(isinstance(v.value, ir.Const) for v in expr.versions):
        return [(v.start, v.end, v.value.value, v.known) for v in expr.versions
                if isinstance(v.value, ir.Const)]
    return None


def _with_values(text: str, named: dict[str, tuple[ir.Const, Type]] | None) -> str:
    """A bracket's words with each parameter's value in this period: 不超过 起征额（40000元）的部分."""
    if not named:
        return text
    for name, (const, ty) in named.items():
        text = text.replace(name, f"{name}（{show(const.value, ty.display())}）")
    return "".join(text.split())
