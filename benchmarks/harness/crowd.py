"""Simulated Telegram users: they go through the application form, and time the bot's replies.

A person sends an update, then waits for the message that ends the bot's
reply (the next question: each script step names a fragment of it). What each
person sent is recorded, so the baseline gets exactly the same update stream
(and then waits for its one message per update).

Two ways to pace them:
* saturation: every person sends the next answer as soon as the reply arrives;
* human pace (open loop): answers at exponential intervals; latency counts
  from the moment the answer was due, so a slow reply that delays the next
  answer is charged to the bot, not hidden (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from benchmarks.harness.fake_api import BOT_USER, FakeBotApi, SentMessage

TIMER_JITTER = 0.002  # seconds an asyncio sleep may overshoot: the harness's lateness, not the bot's


@dataclass(frozen=True)
class Step:
    kind: str  # "text", "press" (a button whose label contains ``value``, or index if value is digits), "contact"
    value: str
    expect: str  # a fragment of the message that ends the reply


def _birth_date() -> str:
    today = date.today()
    return f"15.03.{today.year - 20}"


# The whole application, in English, from the first /start to the reference number.
APPLICATION: tuple[Step, ...] = (
    Step("text", "/start", "choose your language"),
    Step("press", "English", "Welcome!"),
    Step("text", "/apply", "Which training"),
    Step("press", "0", "What is your full name"),
    Step("text", "Jane Doe", "What is your date of birth"),
    Step("text", _birth_date(), "What is your gender"),
    Step("press", "0", "Which municipality"),
    Step("text", "Prishtinë", "What is your phone number"),
    Step("contact", "+38344123456", "What is your e-mail address"),
    Step("press", "Skip", "highest level of education"),
    Step("press", "0", "employment status"),
    Step("press", "0", "why do you want to join"),
    Step("text", "I want to learn networks and find a job in ICT.", "How did you hear"),
    Step("press", "0", "Do you agree"),
    Step("press", "Yes", "Please check your answers"),
    Step("press", "Submit", "reference number"),
)
# The shortest way into a form in progress: the language, then the first answer.
INTO_THE_FORM: tuple[Step, ...] = (
    Step("text", "/apply", "choose your language"),
    Step("press", "English", "Which training"),
    Step("press", "0", "What is your full name"),
)


@dataclass
class Sent:
    """One update as a person sent it, and when it was due (seconds after the start)."""

    chat_id: int
    update: dict[str, Any]
    expect: str | None
    due: float | None = None


@dataclass
class _Waiter:
    expect: str | None
    future: asyncio.Future[float]
    seen: deque[str] = field(default_factory=lambda: deque(maxlen=4))


class Crowd:
    """Routes the bot's messages to whoever waits for them; keeps every latency."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        api.on_message = self._on_message
        self.latencies: list[float] = []
        self.arrivals: list[float] = []  # when each reply of ``latencies`` arrived (perf_counter)
        self.keyboards: dict[int, SentMessage] = {}
        self._waiting: dict[int, _Waiter] = {}
        self._ids = itertools.count(1)

    def _on_message(self, message: SentMessage) -> None:
        if message.has_inline_keyboard:
            self.keyboards[message.chat_id] = message
        waiter = self._waiting.get(message.chat_id)
        if waiter is None:
            return
        if waiter.expect is None or waiter.expect in message.text:
            del self._waiting[message.chat_id]
            waiter.future.set_result(time.perf_counter())
        else:
            waiter.seen.append(message.text[:80])

    async def exchange(self, sent: Sent, offered_at: float | None = None) -> float:
        """Offer the update, wait for its reply; return the latency (from ``offered_at``, default now)."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[sent.chat_id] = _Waiter(sent.expect, future)
        start = time.perf_counter() if offered_at is None else offered_at
        self.api.offer(sent.update)
        arrived = await future
        self.latencies.append(arrived - start)
        self.arrivals.append(arrived)
        return arrived

    def stalled(self) -> str:
        """Who is still waiting, for what, and what came instead (for a timeout message)."""
        lines = [
            f"chat {chat}: waiting for {w.expect!r}, got {list(w.seen)}" for chat, w in list(self._waiting.items())[:5]
        ]
        return f"{len(self._waiting)} waiting; " + "; ".join(lines)

    # --- updates as a Telegram client would produce them --------------------------------------
    def _from(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "Jane", "language_code": "en"}

    def _chat(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "type": "private", "first_name": "Jane"}

    def message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        text = content.get("text", "")
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {
            "message": {
                "message_id": next(self._ids),
                "from": self._from(chat_id),
                "chat": self._chat(chat_id),
                "date": int(time.time()),
                **content,
            }
        }

    def press(self, chat_id: int, label: str) -> dict[str, Any]:
        shown = self.keyboards.get(chat_id)
        if shown is None:
            raise LookupError(f"chat {chat_id} has no buttons to press")
        data = shown.callback_data(None, int(label)) if label.isdigit() else shown.callback_data(label)
        return {
            "callback_query": {
                "id": str(next(self._ids)),
                "from": self._from(chat_id),
                "chat_instance": f"ci{chat_id}",
                "data": data,
                "message": {
                    "message_id": shown.message_id,
                    "from": BOT_USER,
                    "chat": self._chat(chat_id),
                    "date": int(time.time()),
                    "text": shown.text,
                },
            }
        }

    def update_for(self, chat_id: int, step: Step) -> dict[str, Any]:
        if step.kind == "text":
            return self.message(chat_id, text=step.value)
        if step.kind == "contact":
            return self.message(chat_id, contact={"phone_number": step.value, "first_name": "Jane", "user_id": chat_id})
        return self.press(chat_id, step.value)


class Person:
    """One user walking through a script; records what they sent."""

    def __init__(self, crowd: Crowd, chat_id: int, script: tuple[Step, ...] = APPLICATION) -> None:
        self.crowd = crowd
        self.chat_id = chat_id
        self.script = script
        self.sent: list[Sent] = []

    async def walk(self) -> None:
        """Saturation: each answer as soon as the previous reply has arrived."""
        for step in self.script:
            sent = Sent(self.chat_id, self.crowd.update_for(self.chat_id, step), step.expect)
            self.sent.append(sent)
            await self.crowd.exchange(sent)


async def replay(crowd: Crowd, stream: list[Sent], start: float | None = None) -> None:
    """Send a recorded stream again, each update waiting for one message in reply.

    With ``start``, updates go out at their recorded due times (human pace), else back to back.
    """
    for sent in stream:
        again = Sent(sent.chat_id, sent.update, None, sent.due)
        await _paced_exchange(crowd, again, start)


async def _paced_exchange(crowd: Crowd, sent: Sent, start: float | None) -> None:
    if start is None or sent.due is None:
        await crowd.exchange(sent)
        return
    due = start + sent.due
    late = time.perf_counter() - due
    if late < 0:
        await asyncio.sleep(-late)
        late = time.perf_counter() - due
    # Late because the previous reply came late: the bot's fault, counted from the due time.
    # Late by a few hundred microseconds of timer jitter: the harness's, counted from now.
    await crowd.exchange(sent, offered_at=due if late > TIMER_JITTER else None)


class HumanPaceSlot:
    """One place in a crowd of constant size: a person answering at random intervals;
    when they finish the form, someone new takes their place."""

    def __init__(self, crowd: Crowd, ids: Iterator[int], rng: random.Random, mean_interval: float) -> None:
        self.crowd = crowd
        self.ids = ids
        self.rng = rng
        self.mean_interval = mean_interval
        self.sent: list[Sent] = []

    async def run(self, start: float, duration: float) -> None:
        due = self.rng.uniform(0, self.mean_interval)  # spread the first answers out
        while due < duration:
            chat_id = next(self.ids)
            for step in APPLICATION:
                if due >= duration:
                    return
                sent = Sent(chat_id, {}, step.expect, due)
                wait = start + due - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                sent.update = self.crowd.update_for(chat_id, step)  # built when due: it needs the latest buttons
                self.sent.append(sent)
                await _paced_exchange(self.crowd, sent, start)
                due += self.rng.expovariate(1 / self.mean_interval)
