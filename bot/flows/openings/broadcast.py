"""/broadcast (staff): an opening or a message of theirs to a segment, after a
preview with the number of recipients.

Sending queues, in one transaction, the broadcast, one outbox row per
recipient (dedup key per broadcast and person, ``ref = broadcast:<id>``) and a
progress message to the staff member; the outbox worker does the rest, and
picks up where it stopped after a restart. An opening is not broadcast to
people its alert already reached.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.flows.form import (
    Choices,
    Parsed,
    Question,
    Rejected,
    choice_display,
    choice_parser,
    match_municipality,
    show_text,
)
from bot.flows.openings.broadcast_texts import (
    SEGMENT_LABELS,
    message_for,
    render_broadcast,
    render_progress,
    segment_label,
)
from bot.flows.registry import FINISHED, Command, Context, Feature, MessageKind
from bot.flows.staff_form import StaffForm, text_parser
from bot.i18n import _, ngettext
from bot.messages import Option, Reply, UserInput
from bot.reference.texts import programme_button
from bot.reference.tracks import TRACKS, track_label
from bot.services import broadcasts as broadcast_service
from bot.services.broadcasts import BROADCAST_KIND, PROGRESS_KIND, TEXT_LENGTH, BroadcastRefused
from bot.services.opening_days import local_today
from storage import cohorts, openings, programmes
from storage.conversations import ConversationState
from storage.openings import Opening
from storage.segments import WITH_ARGUMENT, Segment


def _answer_is(qid: str, value: str) -> Callable[[Context, Mapping[str, Any]], bool]:
    return lambda ctx, answers: answers.get(qid) == value


async def _content_choices(ctx: Context) -> list[Option]:
    return [Option("opening", _("An opening")), Option("text", _("A message I write"))]


async def _parse_content(ctx: Context, inp: UserInput) -> Parsed:
    result = await choice_parser(_content_choices)(ctx, inp)
    if not isinstance(result, Rejected) and result.value == "opening" and not await _opening_choices(ctx):
        return Rejected(
            _("There are no current openings to broadcast. Write a message instead, or publish one with /newopening.")
        )
    return result


async def _opening_choices(ctx: Context) -> list[Option]:
    shown = await openings.list_open(ctx.tx, local_today(ctx.settings, ctx.now), limit=50)
    return [Option(str(o.id), f"#{o.id} {o.title} – {o.employer}"[:60]) for o in shown]


async def _segment_choices(ctx: Context) -> list[Option]:
    return [Option(kind, _(label)) for kind, label in SEGMENT_LABELS.items()]


async def _parse_segment(ctx: Context, inp: UserInput) -> Parsed:
    result = await choice_parser(_segment_choices)(ctx, inp)
    if not isinstance(result, Rejected) and result.value == "cohort" and not await cohorts.list_all(ctx.tx):
        return Rejected(_("There are no cohorts yet. Please choose other recipients."))
    return result


async def _track_choices(ctx: Context) -> list[Option]:
    return [Option(key, track_label(key)) for key in TRACKS]


async def _municipality_choices(ctx: Context) -> list[Option]:
    return [Option(m.key, m.name(ctx.language)) for m in ctx.municipalities.sorted_for(ctx.language)]


async def _cohort_choices(ctx: Context) -> list[Option]:
    return [Option(c.code, f"{c.code} – {c.name}"[:60]) for c in await cohorts.list_all(ctx.tx)]


async def _programme_choices(ctx: Context) -> list[Option]:
    return [Option(p.code, programme_button(p)) for p in await programmes.list_all(ctx.tx)]


def _choice(
    qid: str,
    label: Callable[[], str],
    prompt: Callable[[Context], str],
    choices: Choices,
    applies: Callable[[Context, Mapping[str, Any]], bool] | None,
    parse: Callable[[Context, UserInput], Awaitable[Parsed]] | None = None,
) -> Question:
    return Question(
        qid, label, prompt, parse or choice_parser(choices), choice_display(choices), choices=choices, applies=applies
    )


QUESTIONS: tuple[Question, ...] = (
    _choice(
        "content",
        lambda: _("What"),
        lambda ctx: _("What would you like to broadcast?"),
        _content_choices,
        None,
        _parse_content,
    ),
    _choice(
        "opening",
        lambda: _("Opening"),
        lambda ctx: _("Which opening?"),
        _opening_choices,
        _answer_is("content", "opening"),
    ),
    Question(
        "text",
        lambda: _("Message"),
        lambda ctx: _("Write the message. It is sent as you write it, in one language."),
        text_parser(*TEXT_LENGTH, one_line=False),
        show_text,
        applies=_answer_is("content", "text"),
    ),
    _choice("segment", lambda: _("To"), lambda ctx: _("Who should get it?"), _segment_choices, None, _parse_segment),
    _choice("track", lambda: _("Track"), lambda ctx: _("Which track?"), _track_choices, _answer_is("segment", "track")),
    _choice(
        "municipality",
        lambda: _("Municipality"),
        lambda ctx: _("Which municipality? Choose it below or type its name."),
        _municipality_choices,
        _answer_is("segment", "municipality"),
        choice_parser(_municipality_choices, match_municipality),
    ),
    _choice(
        "cohort", lambda: _("Cohort"), lambda ctx: _("Which cohort?"), _cohort_choices, _answer_is("segment", "cohort")
    ),
    _choice(
        "programme",
        lambda: _("Programme"),
        lambda ctx: _("Applicants to which programme?"),
        _programme_choices,
        _answer_is("segment", "programme"),
    ),
)


def segment_from(answers: dict[str, Any]) -> Segment:
    """The segment question's answer and, when it needs one, the answer naming its track, municipality..."""
    kind = answers["segment"]
    return Segment(kind, answers[kind] if kind in WITH_ARGUMENT else None)


class BroadcastForm(StaffForm):
    name = "broadcast"

    def questions(self) -> tuple[Question, ...]:
        return QUESTIONS

    async def _what(self, ctx: Context, state: ConversationState) -> tuple[Opening | None, str | None, Segment]:
        """The opening (or None when the message is text) and the text, and the segment."""
        answers = state.answers
        opening = await openings.get(ctx.tx, int(answers["opening"])) if answers["content"] == "opening" else None
        text = answers["text"] if answers["content"] == "text" else None
        return opening, text, segment_from(answers)

    def _still_open(self, ctx: Context, opening: Opening | None, text: str | None) -> bool:
        return broadcast_service.still_open(opening, text, ctx.settings, ctx.now)

    async def _count(self, ctx: Context, state: ConversationState) -> int:
        opening, _text, segment = await self._what(ctx, state)
        return await broadcast_service.audience(ctx.tx, segment, opening)

    async def preview(self, ctx: Context, state: ConversationState) -> str:
        opening, text, segment = await self._what(ctx, state)
        sample = message_for(opening, text, ctx.municipalities, local_today(ctx.settings, ctx.now))
        n = await self._count(ctx, state)
        lines = [
            _("Each person gets this, with the labels in their language:"),
            sample.text
            if sample and self._still_open(ctx, opening, text)
            else _("(This opening is closed, so it would not be sent.)"),
            _("To: {segment}").format(segment=await segment_label(ctx.tx, segment, ctx.municipalities)),
            ngettext("That is {n} person now.", "That is {n} people now.", n).format(n=n),
        ]
        if n == 0:
            lines.append(_("Nobody is in this group, so there is nothing to send. Edit the group, or cancel."))
        return "\n\n".join(lines)

    async def confirm_label(self, ctx: Context, state: ConversationState) -> str:
        n = await self._count(ctx, state)
        return ngettext("Send to {n} person", "Send to {n} people", n).format(n=n)

    def cancelled_text(self) -> str:
        return _("Cancelled; nothing was sent.")

    async def submit(self, ctx: Context, state: ConversationState) -> list[Reply]:
        if not ctx.is_staff:
            state.step = FINISHED
            return [Reply(_("Sorry, this command is only for the programme's staff."))]
        opening, text, segment = await self._what(ctx, state)
        try:
            broadcast = await broadcast_service.start(
                ctx.tx,
                segment=segment,
                opening=opening,
                text=text,
                sender=ctx.user,
                staff_id=ctx.staff_id,
                settings=ctx.settings,
                now=ctx.now,
            )
        except BroadcastRefused as refused:
            if refused.code == "closed":
                return [
                    Reply(_("That opening has closed meanwhile; nothing was sent.")),
                    *await self.prompt(ctx, state),
                ]
            return [Reply(_("Nobody is in this group now; nothing was sent.")), *await self.prompt(ctx, state)]
        state.step = FINISHED
        return [
            Reply(
                ngettext(
                    "Broadcast #{id} is on its way to {n} person. The next message shows its progress, and a report follows at the end.",
                    "Broadcast #{id} is on its way to {n} people. The next message shows its progress, and a report follows at the end.",
                    broadcast.recipients,
                ).format(id=broadcast.id, n=broadcast.recipients)
            )
        ]


FEATURE = Feature(
    "broadcast",
    commands=(
        Command(
            "broadcast", lambda: _("Send an opening or a message to a group (staff)"), flow="broadcast", staff_only=True
        ),
    ),
    flows=(BroadcastForm(),),
    message_kinds=(MessageKind(BROADCAST_KIND, render_broadcast), MessageKind(PROGRESS_KIND, render_progress)),
)
