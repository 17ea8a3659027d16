"""A drill's report to her (/simulacro): who it went to and when each one received it, who
answered and when, who could not be reached and what to do about it; in discreet words in
discreet mode."""

from __future__ import annotations

from bot.core.notifications import DrillReport
from bot.core.records import Member
from bot.i18n import t, wording
from bot.telegram.render.base import Outgoing, Renderers, label_or_default, local_time

MAX_LINES = 6  # people listed one a line; the rest counted, so that it stays short


def drill_report(report: DrillReport, to: Member) -> Outgoing:
    lang = to.language

    def say(key: str, **params: object) -> str:
        return t(lang, wording(lang, key, to.discreet, str(to.address)), **params)

    at = local_time(to, report.raised_at)
    reached = [label_or_default(to, name) for name in report.reached]
    received = [*report.received, *[""] * len(reached)][: len(reached)]
    answered = dict(
        zip(
            [label_or_default(to, name) for name in report.answered],
            [*report.answered_at, *[""] * len(report.answered)],
            strict=False,
        )
    )
    unreachable = [label_or_default(to, name) for name in report.unreachable]
    lines = [say("drill.report.title", at=at)]
    if report.private:
        lines.append(say("drill.report.private"))
    elif reached:
        rows = [say("drill.report.reached", count=len(reached), at=at)]
        for name, got in list(zip(reached, received, strict=True))[:MAX_LINES]:
            when = answered.get(name)
            rows.append(
                say(
                    "drill.report.line",
                    name=name,
                    received=(
                        say("drill.report.received", at=local_time(to, got))
                        if got
                        else say("drill.report.not_received")
                    ),
                    answered=(
                        say("drill.report.no_answer")
                        if when is None
                        else say("drill.report.answered_at", at=local_time(to, when))
                        if when
                        else say("drill.report.answered_yes")
                    ),
                )
            )
        if len(reached) > MAX_LINES:
            rows.append(say("drill.report.more", count=len(reached) - MAX_LINES))
        lines.append("\n".join(rows))
        shown = list(zip(reached, received, strict=True))[:MAX_LINES]
        silent = [n for n, got in shown if got and n not in answered]
        if silent:
            lines.append(say("drill.report.silent", count=len(silent)))
        late = [n for n, got in shown if not got]
        if late:
            lines.append(say("drill.report.undelivered", count=len(late)))
    elif not unreachable:
        lines.append(say("drill.report.nobody"))
    for name in unreachable:
        lines.append(say("drill.report.unreachable", name=name))
    return Outgoing("\n\n".join(lines))


def renderers() -> Renderers:
    return {DrillReport: drill_report}
