"""A local Telegram Bot API server for tests, benchmarks and `companera demo`."""

from bot.emulator.limits import Fault
from bot.emulator.server import Emulator
from bot.emulator.state import ChatEvent, Edit, SentMessage
from bot.emulator.users import EmulatedUser

__all__ = ["ChatEvent", "Edit", "EmulatedUser", "Emulator", "Fault", "SentMessage"]
