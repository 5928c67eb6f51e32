"""Validity windows: is a document in force on a date, and if not, why."""

from __future__ import annotations

import datetime

from guize.runtime.dates import cn
from guize.runtime.errors import NotInForce
from guize.runtime.tuples import NamedTuple

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a quicker start-up: runtime/tuples.py)
if TYPE_CHECKING:
    from typing import Any


class Repealed(NamedTuple):
    on: datetime.date  # first day no longer in force
    by_title: str | None
    by_docno: str | None
    replaced: bool = False

    def by(self) -> str:
        if self.by_title and self.by_docno:
            return f"《{self.by_title}》（{self.by_docno}）"
        return f"《{self.by_title}》" if self.by_title else (self.by_docno or "另一文件")


class Window(NamedTuple):
    """A document's validity: in force from `start` through `last` (inclusive), unless repealed."""

    title: str | None
    docno: str | None
    start: datetime.date | None
    last: datetime.date | None
    repealed: Repealed | None = None
    start_assumed: bool = False  # start taken from 发布日期: no 施行日期 was written

    @classmethod
    def from_document(cls, doc: dict[str, Any], repealed: Repealed | None = None) -> Window:
        return cls(doc.get("title"), doc.get("docno"), doc.get("start"), doc.get("last_day"), repealed,
                   doc.get("effective") is None and doc.get("start") is not None)

    def name(self) -> str:
        if self.title and self.docno:
            return f"《{self.title}》（{self.docno}）"
        return f"《{self.title}》" if self.title else (self.docno or "该文件")

    def describe(self) -> str:
        if self.start is None:
            return "施行日期未载明"
        text = f"自{cn(self.start)}起施行"
        if self.last is not None:
            text += f"，至{cn(self.last)}止"
        if self.repealed is not None:
            text += f"，{cn(self.repealed.on)}起被{self.repealed.by()}{'替代' if self.repealed.replaced else '废止'}"
        return text

    def status(self, on: datetime.date) -> tuple[str, str]:
        """(code, Chinese sentence): code is in_force / not_yet / expired / repealed / unknown."""
        name = self.name()
        if self.repealed is not None and on >= self.repealed.on:
            verb = "替代" if self.repealed.replaced else "废止"
            return "repealed", (f"{name}已被{self.repealed.by()}{verb}，自{cn(self.repealed.on)}起失效，"
                                f"{cn(on)}不再适用")
        if self.start is None:
            return "unknown", f"{name}未载明施行日期，无法判断 {cn(on)} 是否有效"
        if on < self.start:
            return "not_yet", f"{name}自{cn(self.start)}起施行，{cn(on)}尚未施行"
        if self.last is not None and on > self.last:
            return "expired", f"{name}有效期至{cn(self.last)}，{cn(on)}已失效"
        assumed = "（未载明施行日期，按发布日期计）" if self.start_assumed else ""
        return "in_force", f"{name}在{cn(on)}有效（{self.describe()}）{assumed}"

    def check(self, on: datetime.date) -> None:
        # In force (status's own tests): no sentence to build. A date per record computes the
        # date's state once per new date (Policy.env), and the sentence cost most of it.
        if (self.start is not None and self.start <= on and (self.last is None or on <= self.last)
                and (self.repealed is None or on < self.repealed.on)):
            return
        code, message = self.status(on)
        if code != "in_force":
            raise NotInForce(message, status=code, date=on, start=self.start, last_day=self.last,
                             repealed_on=self.repealed.on if self.repealed else None,
                             document=self.docno or self.title)
