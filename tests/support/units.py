"""Calling a use case outside an update: in a unit of work of its own, committed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

from bot.core.context import Core, Work

P = ParamSpec("P")
R = TypeVar("R")


async def committed(
    core: Core,
    use_case: Callable[Concatenate[Work, P], Awaitable[R]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> R:
    """`use_case(work, *args)` in one transaction, as an update would run it."""
    async with core.unit() as work:
        return await use_case(work, *args, **kwargs)
