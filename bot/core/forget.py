"""Forgetting a member: at her request (/forget), or when she has not been seen for long.

Her row goes, and with it her wrapped data key, so that whatever it sealed anywhere no
longer opens; every row of hers goes by cascade in the same transaction. The people linked
to her are told only that she is no longer linked. Her anonymous warnings stay until they
expire, unlinked from her.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core import notes, shifts, support
from bot.core.context import Core, Refused, Work
from bot.core.notifications import ContactForgotten, IdleNotice
from bot.core.records import HIDDEN_ALARMS, Member

log = logging.getLogger("companera.forget")
PAGE = 100


async def forget(work: Work, member_id: str) -> bool:
    """Erase her at once; False when there was nobody to erase."""
    return await _forget(work, member_id)


async def forget_at_her_request(work: Work, member: Member) -> bool | Refused:
    """/forget confirmed. Not while a check-in runs: erasing it would stop its alert, and
    whoever holds her phone could do it. She ends it first ("I'm safe", with her PIN if she
    has one). A code word or duress alarm is hidden from her chat, so it must not show here
    either: the answer looks like an erasure, nothing is erased, and the alarm goes on.
    Returns whether she was really erased."""
    running = await work.checkins.all_open_for(member.id)
    if any(c.alarm not in HIDDEN_ALARMS for c in running):
        return Refused("forget.error.running")
    if running:  # nothing logged: a line here would record the alarm
        return False
    return await _forget(work, member.id)


async def _forget(work: Work, member_id: str) -> bool:
    member = await work.members.get(member_id)
    if member is None:
        return False
    alias = member.alias or ""
    for contact in await work.contacts.of_worker(member.id):  # people who watch over her
        await work.notify(ContactForgotten(contact.contact_id, alias, contact.id, "worker"))
    for link in await work.contacts.of_contact(member.id):  # people she watches over
        await work.notify(ContactForgotten(link.worker_id, link.label or "", link.id, "contact"))
    await support.forget(work, member.id)  # her cases go; those she took are queued again
    for membership in await work.networks.memberships_of(member.id):
        await work.networks.leave(membership.id)  # her warnings stay, cut from her
    # Her shift partners are told she left, as after /turno fin, and their status drops her:
    # a partner who vanished without a word would still be counted on, and looked for.
    await shifts.leave(work, member)
    await notes.forget_author(work, member.id)  # what she noted for a partner goes too
    # Her record's entries name her by a digest under her key, not by a foreign key: they
    # go first, while her key still finds them.
    await work.private_record.delete_all(member.id)
    await work.members.delete(member.id)
    log.info("member.forgotten")  # no id: even a prefix would outlive her in old backups
    return True


async def sweep_idle(core: Core) -> tuple[int, int]:
    """Tell members not seen for `member_idle - idle_notice` that they will be forgotten,
    and forget those told `idle_notice` ago who did not come back, a page per transaction.
    Returns (told, forgotten)."""
    now = core.clock.now()
    retention = core.limits
    idle, notice = (
        timedelta(days=retention.member_idle_days),
        timedelta(days=retention.idle_notice_days),
    )
    told = forgotten = 0
    async with core.unit() as work:
        for member_id in await work.members.idle_to_notify(now - (idle - notice), PAGE):
            await work.members.mark_idle_notice(member_id, now)
            told += await work.notify(
                IdleNotice(member_id, retention.idle_notice_days, told_on=now.date())
            )
    while True:
        async with core.unit() as work:
            due = await work.members.idle_to_forget(now - notice, PAGE)
            for member_id in due:
                forgotten += await _forget(work, member_id)
        if len(due) < PAGE:
            return told, forgotten
