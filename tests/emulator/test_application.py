"""A whole python-telegram-bot Application, polling the emulator, end to end."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.emulator import Emulator


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data="ok")]])
    await update.message.reply_text(f"hola {' '.join(context.args or [])}", reply_markup=keyboard)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("anotado")
    await query.edit_message_text(f"elegiste {query.data}")


async def test_an_application_answers_commands_and_buttons(emu: Emulator) -> None:
    app = ApplicationBuilder().token(emu.token).base_url(emu.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    ana = emu.user("ana")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            await ana.send("/start abc")
            greeting = await ana.receives(containing="hola", timeout=5)
            assert greeting.text == "hola abc" and greeting.buttons() == ["Sí"]
            query_id = await ana.press(greeting, "Sí")
            await emu.wait_until(lambda: greeting.edited == 1)
            assert greeting.text == "elegiste ok" and greeting.buttons() == []
            assert len(ana.inbox()) == 1  # an edit, not a new message
            assert ana.answered_callbacks == [(query_id, "anotado")]
        finally:
            await app.updater.stop()
            await app.stop()
    assert emu.requests["getUpdates"] >= 2 and emu.updates.pending == []
