"""A drill's report to her (/simulacro): who it went to and when, who answered, who could
not be reached and what to do about it; in discreet words in discreet mode."""

from __future__ import annotations

from bot.core.notifications import DrillReport
from bot.core.records import Member
from bot.i18n import t, wording
from bot.telegram.render.base import Outgoing, Renderers, label_or_default, local_time


def drill_report(report: DrillReport, to: Member) -> Outgoing:
    lang = to.language

    def say(key: str, **params: object) -> str:
        return t(lang, wording(lang, key, to.discreet, str(to.address)), **params)

    at = local_time(to, report.raised_at)
    reached = [label_or_default(to, name) for name in report.reached]
    answered = [label_or_default(to, name) for name in report.answered]
    unreachable = [label_or_default(to, name) for name in report.unreachable]
    lines = [say("drill.report.title", at=at)]
    if report.private:
        lines.append(say("drill.report.private"))
    elif reached:
        lines.append(say("drill.report.reached", names=", ".join(reached), at=at))
        if answered:
            lines.append(say("drill.report.answered", names=", ".join(answered)))
        silent = [name for name in reached if name not in answered]
        if silent:
            lines.append(say("drill.report.silent", names=", ".join(silent)))
    elif not unreachable:
        lines.append(say("drill.report.nobody"))
    for name in unreachable:
        lines.append(say("drill.report.unreachable", name=name))
    return Outgoing("\n\n".join(lines))


def renderers() -> Renderers:
    return {DrillReport: drill_report}
