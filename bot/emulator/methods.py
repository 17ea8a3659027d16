"""The Bot API methods the emulator implements, with Telegram's fields and errors."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from bot.emulator.protocol import Json, Params, bad_request
from bot.emulator.state import CallbackAnswer, Chats, SentMessage
from bot.emulator.updates import UpdateQueue

MAX_TEXT = 4096
MAX_CAPTION = 1024
COMMAND = re.compile(r"[a-z0-9_]{1,32}")
QUERY_GONE = "query is too old and response timeout expired or query ID is invalid"
Handler = Callable[[Params], Awaitable[Any]]


class BotApi:
    """One coroutine per Bot API method, over the chats and the update queue."""

    def __init__(self, chats: Chats, updates: UpdateQueue) -> None:
        self.chats, self.updates = chats, updates
        self.open_queries: dict[str, int] = {}  # callback query id -> the presser's id
        self.callback_answers: list[CallbackAnswer] = []
        self.commands: dict[str, list[Json]] = {}  # language code ("": any) -> the menu
        # other scopes: (type, chat id or 0, language code) -> the menu
        self.scoped_commands: dict[tuple[str, int, str], list[Json]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}  # (kind, language) -> text
        self._query_count = 0
        handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": updates.get_updates,
            "setWebhook": updates.set_webhook,
            "deleteWebhook": updates.delete_webhook,
            "getWebhookInfo": updates.get_webhook_info,
            "sendMessage": self.send_message,
            "sendLocation": self.send_location,
            "sendDocument": self.send_document,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setMyDescription": self.set_my_description,
            "setMyShortDescription": self.set_my_description,
            "setChatMenuButton": self.accept,
            "sendChatAction": self.send_chat_action,
            "close": self.accept,
            "logOut": self.accept,
        }
        self._handlers = {name.lower(): (name, handler) for name, handler in handlers.items()}

    def handler(self, method: str) -> tuple[str, Handler] | None:
        """Telegram's spelling of a method and its coroutine; method names ignore case."""
        return self._handlers.get(method.lower())

    def open_query(self, user_id: int) -> str:
        """A new callback query id, open until the bot answers it."""
        self._query_count += 1
        query_id = str(4_000_000_000 + self._query_count)
        self.open_queries[query_id] = user_id
        return query_id

    async def get_me(self, params: Params) -> Json:
        """getMe: the bot's own User object."""
        return {
            **self.chats.bot_user,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def send_message(self, params: Params) -> Json:
        """sendMessage."""
        chat_id = self._chat(params)
        text = _message_text(params)
        return self.chats.add_bot_message(
            SentMessage(
                chat_id,
                self.chats.next_message_id(chat_id),
                text,
                _markup(params),
                params.flag("protect_content"),
            )
        )

    async def send_location(self, params: Params) -> Json:
        """sendLocation."""
        chat_id = self._chat(params)
        params.require("latitude")
        params.require("longitude")
        latitude, longitude = params.number("latitude"), params.number("longitude")
        if latitude is None or not -90 <= latitude <= 90:
            raise bad_request("wrong latitude")
        if longitude is None or not -180 <= longitude <= 180:
            raise bad_request("wrong longitude")
        sent = SentMessage(
            chat_id,
            self.chats.next_message_id(chat_id),
            None,
            _markup(params),
            params.flag("protect_content"),
            location=(latitude, longitude),
        )
        message = self.chats.add_bot_message(sent)
        if params.integer("live_period"):
            message["location"]["live_period"] = params.integer("live_period")
        return message

    async def send_document(self, params: Params) -> Json:
        """sendDocument, with the file uploaded in the request (kept, in memory only); its
        caption is kept as the message's text."""
        chat_id = self._chat(params)
        uploaded = params.file("document")
        if uploaded is None:
            raise bad_request("there is no document in the request")
        caption = params.text("caption")
        if caption is not None and len(caption) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return self.chats.add_bot_message(
            SentMessage(
                chat_id,
                self.chats.next_message_id(chat_id),
                caption,
                _markup(params),
                params.flag("protect_content"),
                document=uploaded,
            )
        )

    async def edit_message_text(self, params: Params) -> Json:
        """editMessageText; without reply_markup the inline keyboard goes away."""
        sent = self._to_edit(params)
        text, markup = _message_text(params), _markup(params)
        if sent.text is None:
            raise bad_request("there is no text in the message to edit")
        if text == sent.text and markup == sent.reply_markup:
            raise bad_request("message is not modified")
        sent.text, sent.reply_markup = text, markup
        return self.chats.edited(sent)

    async def edit_message_reply_markup(self, params: Params) -> Json:
        """editMessageReplyMarkup; without reply_markup the inline keyboard goes away."""
        sent = self._to_edit(params)
        markup = _markup(params)
        if markup == sent.reply_markup:
            raise bad_request("message is not modified")
        sent.reply_markup = markup
        return self.chats.edited(sent)

    async def delete_message(self, params: Params) -> bool:
        """deleteMessage: either side's message; it stays in the record, marked deleted."""
        chat_id = self._chat(params)
        params.require("message_id", "message identifier is not specified")
        message_id = params.integer("message_id")
        if message_id is None or not self.chats.delete(chat_id, message_id):
            raise bad_request("message to delete not found")
        return True

    async def answer_callback_query(self, params: Params) -> bool:
        """answerCallbackQuery: once per press."""
        query_id = params.text("callback_query_id")
        user_id = self.open_queries.pop(query_id or "", None)
        if query_id is None or user_id is None:
            raise bad_request(QUERY_GONE)
        answer = CallbackAnswer(query_id, user_id, params.text("text"), params.flag("show_alert"))
        self.callback_answers.append(answer)
        self.chats.answered(user_id, answer.text, answer.show_alert)
        return True

    async def set_my_commands(self, params: Params) -> bool:
        """setMyCommands, per scope and language."""
        commands = params.require("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not COMMAND.fullmatch(command.get("command", "")):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description is empty")
        menus, key = self._menus(params)
        menus[key] = commands
        return True

    async def get_my_commands(self, params: Params) -> list[Json]:
        """getMyCommands."""
        menus, key = self._menus(params)
        return menus.get(key, [])

    async def delete_my_commands(self, params: Params) -> bool:
        """deleteMyCommands."""
        menus, key = self._menus(params)
        menus.pop(key, None)
        return True

    def menu(self, chat_id: int, language: str) -> list[Json]:
        """The command menu a person sees in her private chat, as Telegram picks it: the
        most specific scope first (her chat, all private chats, everyone), and in each, her
        language before any language."""
        for kind, chat in (("chat", chat_id), ("all_private_chats", 0)):
            for code in (language, ""):
                if (kind, chat, code) in self.scoped_commands:
                    return self.scoped_commands[(kind, chat, code)]
        for code in (language, ""):
            if code in self.commands:
                return self.commands[code]
        return []

    def _menus(self, params: Params) -> tuple[dict[Any, list[Json]], Any]:
        """Where the command menu for the request's scope and language is kept (one per
        chat for a chat's scope)."""
        scope = params.value("scope")
        kind = str(scope.get("type", "default")) if isinstance(scope, dict) else "default"
        language = params.text("language_code") or ""
        if kind == "default":
            return self.commands, language
        chat_id = 0
        if kind in ("chat", "chat_administrators"):
            chat_id = _scope_chat(scope)
            if not self.chats.exists(chat_id):
                raise bad_request("chat not found")
        return self.scoped_commands, (kind, chat_id, language)

    async def set_my_description(self, params: Params) -> bool:
        """setMyDescription and setMyShortDescription (kept, never shown)."""
        for kind in ("description", "short_description"):
            if kind in params:
                language = params.text("language_code") or ""
                self.descriptions[(kind, language)] = params.text(kind) or ""
        return True

    async def send_chat_action(self, params: Params) -> bool:
        """sendChatAction: "typing..." and the like."""
        self._chat(params)
        params.require("action")
        return True

    async def accept(self, params: Params) -> bool:
        """Methods that only need to succeed: setChatMenuButton, close, logOut."""
        return True

    def _chat(self, params: Params) -> int:
        params.require("chat_id")
        chat_id = params.integer("chat_id")
        if chat_id is None or not self.chats.exists(chat_id):
            raise bad_request("chat not found")
        return chat_id

    def _to_edit(self, params: Params) -> SentMessage:
        if "inline_message_id" in params:
            raise bad_request("inline messages are not supported by the emulator")
        chat_id = self._chat(params)
        params.require("message_id", "message identifier is not specified")
        sent = self.chats.bot_message(chat_id, params.integer("message_id") or 0)
        if sent is None:
            raise bad_request("message to edit not found")
        return sent


def _scope_chat(scope: Any) -> int:
    try:
        return int(scope.get("chat_id"))
    except (TypeError, ValueError):
        raise bad_request("wrong chat id") from None


def _message_text(params: Params) -> str:
    text = params.text("text") or ""
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text


def _markup(params: Params) -> dict[str, Any] | None:
    markup = params.value("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup or None
