"""The other side of bench_delivery: python-telegram-bot's own AIORateLimiter, used the way
its documentation suggests, sending a broadcast and alerts and answering /help.

    python -m tests.bench.ptb_contender plan.json

The plan names the emulator, the broadcast's chats, and when each alert falls due (wall
clock). The process sends everything, then keeps answering /help until it is killed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, CommandHandler, ContextTypes

failures = 0


async def send(bot: Bot, chat_id: int, text: str) -> None:
    global failures
    try:
        await bot.send_message(chat_id, text)
    except TelegramError:
        failures += 1


async def alert_when_due(bot: Bot, due_wall: float, chat_id: int) -> None:
    await asyncio.sleep(max(0.0, due_wall - time.time()))
    await send(bot, chat_id, "🚨 ALERTA: prueba")


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_chat is not None:
        await send(context.bot, update.effective_chat.id, "Qué puedo hacer: /checkin ...")


async def main(plan: dict[str, Any]) -> None:
    application = (
        ApplicationBuilder()
        .token(plan["token"])
        .base_url(plan["base_url"])
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(True)
        .build()
    )
    application.add_handler(CommandHandler("help", on_help))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        bot = application.bot
        work = [send(bot, chat, plan["text"]) for chat in plan["broadcast"]]
        work += [alert_when_due(bot, due, chat) for due, chat in plan["alerts"]]
        await asyncio.gather(*work)
        print(f"done, {failures} sends failed", file=sys.stderr)
        await asyncio.Event().wait()  # answer /help until killed


if __name__ == "__main__":
    asyncio.run(main(json.loads(Path(sys.argv[1]).read_text())))
