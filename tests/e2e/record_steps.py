"""Steps of her private record (/registro) that several tests take: turning it on, writing
an entry one question at a time."""

from __future__ import annotations

from bot.emulator import EmulatedUser, SentMessage
from bot.i18n import t
from tests.support.catalog import said

WHERE = "Hotel Prueba Azul, cuarto 7"
WHAT = "Se negó a pagar y me empujó en la puerta (prueba)"
WHO = "Cliente Prueba Bigotes, placa TEST-9911"


async def turn_on(user: EmulatedUser, days: int = 90) -> None:
    await user.send("/registro")
    intro = await user.receives(containing=said("record.intro"))
    await user.press(intro, t("es", "button.record_days", days=days))
    await user.receives(containing=said("record.saved_on", days=days))


async def add_entry(
    user: EmulatedUser, when: str = "ayer", where: str = WHERE, what: str = WHAT, who: str = WHO
) -> SentMessage:
    """/registro, "➕ Nueva entrada", then each answer typed; returns the confirmation."""
    await user.send("/registro")
    shown = await user.receives(containing="📓")
    await user.press(shown, t("es", "button.record_new"))
    for key, answer in (("when", when), ("where", where), ("what", what), ("who", who)):
        asked = await user.receives(containing=said(f"record.ask.{key}"))
        if answer:
            await user.send(answer)
        else:
            await user.press(asked, t("es", "button.record_skip"))
    return await user.receives(containing=said("record.saved"))
