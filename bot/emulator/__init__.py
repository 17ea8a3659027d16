"""A local Telegram Bot API server for tests, benchmarks and `companera demo`."""

from bot.emulator.limits import Fault
from bot.emulator.server import Emulator
from bot.emulator.state import ChatEvent, SentMessage
from bot.emulator.users import EmulatedUser

__all__ = ["ChatEvent", "EmulatedUser", "Emulator", "Fault", "SentMessage"]
