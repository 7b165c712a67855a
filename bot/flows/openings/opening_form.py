"""Staff publish openings (/newopening: questions, a preview, save) and close
them (/closeopening, or the button under an opening they look at).

Saving an opening queues its alerts to the people whose alert tracks fit, in
the same transaction. Closing it withdraws the alerts not yet sent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.flows.form import (
    Accepted,
    Answer,
    Parsed,
    Question,
    Rejected,
    choice_display,
    choice_parser,
    match_municipality,
    not_understood,
    show_text,
)
from bot.flows.openings.opening_card import KINDS, card, kind_label
from bot.flows.registry import FINISHED, Action, Command, Context, Feature
from bot.flows.staff_form import StaffForm, multi_choice, text_parser
from bot.i18n import _, format_date, ngettext
from bot.messages import InputKind, Option, Reply, UserInput
from bot.parsing.openings import LENGTHS, REMOTE, REMOTE_WORDS, has_contact, parse_deadline_text
from bot.reference.tracks import TRACKS, track_label, track_list
from bot.services import openings as opening_service
from bot.services.alerts import PROACTIVE_CHANNELS
from bot.services.opening_days import local_today
from bot.services.openings import OpeningRejected
from storage import openings, segments
from storage.conversations import ConversationState
from storage.openings import NewOpening, Opening


async def _parse_apply_how(ctx: Context, inp: UserInput) -> Parsed:
    result = await text_parser(*LENGTHS["apply_how"], one_line=False)(ctx, inp)
    if isinstance(result, Accepted) and not has_contact(result.value):
        return Rejected(
            _(
                "Please include a link (https://...), an e-mail address or a phone number, so people know where to apply."
            )
        )
    return result


async def _parse_deadline(ctx: Context, inp: UserInput) -> Parsed:
    if inp.kind != InputKind.TEXT:
        return Rejected(not_understood(inp) if inp.kind != InputKind.OPTION else _("Please type the date."))
    result = parse_deadline_text(inp.text, local_today(ctx.settings, ctx.now))
    return Rejected(result) if isinstance(result, str) else Accepted(result.isoformat())


async def _show_deadline(ctx: Context, value: Any) -> str:
    return format_date(date.fromisoformat(value))


async def _kind_choices(ctx: Context) -> list[Option]:
    return [Option(kind, kind_label(kind)) for kind in KINDS]


async def _place_choices(ctx: Context) -> list[Option]:
    places = [Option(REMOTE, _("Remote"))]
    return places + [Option(m.key, m.name(ctx.language)) for m in ctx.municipalities.sorted_for(ctx.language)]


async def _match_place(ctx: Context, text: str) -> Answer | None:
    if text.strip().casefold() in (*REMOTE_WORDS, _("Remote").casefold()):
        return Accepted(REMOTE)
    return await match_municipality(ctx, text)


async def _show_tracks(ctx: Context, value: Any) -> str:
    return track_list(value)


_track_choices, _parse_tracks = multi_choice(tuple(TRACKS), track_label, track_list)

QUESTIONS: tuple[Question, ...] = (
    Question(
        "kind",
        lambda: _("Type"),
        lambda ctx: _("Is it a job or an internship?"),
        choice_parser(_kind_choices),
        choice_display(_kind_choices),
        choices=_kind_choices,
    ),
    Question(
        "title",
        lambda: _("Title"),
        lambda ctx: _("What is the position called? For example: Junior web developer."),
        text_parser(*LENGTHS["title"], one_line=True),
        show_text,
    ),
    Question(
        "employer",
        lambda: _("Employer"),
        lambda ctx: _("Which company or organisation offers it?"),
        text_parser(*LENGTHS["employer"], one_line=True),
        show_text,
    ),
    Question(
        "description",
        lambda: _("Description"),
        lambda ctx: _("Describe the position in a few sentences: the work, the requirements, paid or not."),
        text_parser(*LENGTHS["description"], one_line=False),
        show_text,
    ),
    Question(
        "place",
        lambda: _("Where"),
        lambda ctx: _("Where is the work? Choose the municipality, or Remote."),
        choice_parser(_place_choices, _match_place),
        choice_display(_place_choices),
        choices=_place_choices,
    ),
    Question(
        "tracks",
        lambda: _("Tracks"),
        lambda ctx: _("Which of the programme's tracks does it fit? Tick one or more, then press Done."),
        _parse_tracks,
        _show_tracks,
        choices=_track_choices,
        multiple=True,
    ),
    Question(
        "deadline",
        lambda: _("Deadline"),
        lambda ctx: _("What is the last day to apply? Write it as day.month.year."),
        _parse_deadline,
        _show_deadline,
    ),
    Question(
        "apply_how",
        lambda: _("How to apply"),
        lambda ctx: _("How do people apply? Give a link, an e-mail address or a phone number."),
        _parse_apply_how,
        show_text,
    ),
)


def opening_from(answers: dict[str, Any]) -> NewOpening:
    return NewOpening(
        kind=answers["kind"],
        title=answers["title"],
        employer=answers["employer"],
        description=answers["description"],
        municipality=None if answers["place"] == REMOTE else answers["place"],
        tracks=tuple(answers["tracks"]),
        deadline=date.fromisoformat(answers["deadline"]),
        apply_how=answers["apply_how"],
    )


class OpeningForm(StaffForm):
    name = "newopening"

    def questions(self) -> tuple[Question, ...]:
        return QUESTIONS

    async def start(self, ctx: Context, state: ConversationState) -> list[Reply]:
        intro = Reply(
            _(
                "A new job or internship opening. Write its texts in one language; the bot translates the rest of the card (labels, dates) itself. /cancel stops."
            )
        )
        return [intro, *await super().start(ctx, state)]

    async def preview(self, ctx: Context, state: ConversationState) -> str:
        opening = Opening(**vars(opening_from(state.answers)))
        people = await segments.alert_recipients(ctx.tx, opening.tracks, PROACTIVE_CHANNELS)
        return "\n\n".join(
            [
                _("Preview: this is how the opening will look."),
                card(opening, ctx.municipalities, local_today(ctx.settings, ctx.now)),
                ngettext(
                    "When you save it, {n} person with matching job alerts gets it.",
                    "When you save it, {n} people with matching job alerts get it.",
                    len(people),
                ).format(n=len(people)),
            ]
        )

    async def confirm_label(self, ctx: Context, state: ConversationState) -> str:
        return _("Save and publish")

    async def submit(self, ctx: Context, state: ConversationState) -> list[Reply]:
        if not ctx.is_staff:
            state.step = FINISHED
            return [Reply(_("Sorry, this command is only for the programme's staff."))]
        try:
            opening, alerted = await opening_service.publish(
                ctx.tx, opening_from(state.answers), ctx.user.id, ctx.settings, ctx.now, staff_id=ctx.staff_id
            )
        except OpeningRejected as rejected:  # e.g. the deadline passed while the form was open
            return [Reply("\n".join(rejected.problems.values())), *await self.prompt(ctx, state)]
        state.step = FINISHED
        text = ngettext(
            "Saved: opening #{id} is published in /jobs, and {n} person with matching alerts will get it.",
            "Saved: opening #{id} is published in /jobs, and {n} people with matching alerts will get it.",
            alerted,
        ).format(id=opening.id, n=alerted)
        options = [Option(f"jobs.show.{opening.id}", _("Show it")), Option("broadcast", _("Broadcast it"))]
        return [Reply(text, options, menu=True)]


async def close_command(ctx: Context) -> list[Reply]:
    shown = await openings.list_open(ctx.tx, local_today(ctx.settings, ctx.now), limit=30)
    if not shown:
        return [Reply(_("There are no current openings."))]
    options = [Option(f"openings.close.{o.id}", f"#{o.id} {o.title} – {o.employer}"[:60]) for o in shown]
    return [Reply(_("Which opening do you want to close?"), options, menu=True)]


async def openings_action(ctx: Context, args: list[str]) -> list[Reply] | None:
    """Staff buttons: ``openings.close.<id>`` asks, ``openings.confirm.<id>`` closes."""
    if len(args) != 2 or args[0] not in ("close", "confirm") or not args[1].isdigit() or len(args[1]) > 9:
        return None
    opening = await openings.get(ctx.tx, int(args[1]))
    if opening is None:
        return None
    if opening.status == "closed":
        return [Reply(_("Opening #{id} “{title}” is already closed.").format(id=opening.id, title=opening.title))]
    if args[0] == "close":
        text = _("Close opening #{id} “{title}”? It will show as closed, and alerts not sent yet are dropped.").format(
            id=opening.id, title=opening.title
        )
        return [
            Reply(
                text,
                [
                    Option(f"openings.confirm.{opening.id}", _("Yes, close it")),
                    Option(f"jobs.show.{opening.id}", _("No, keep it open")),
                ],
                menu=True,
            )
        ]
    withdrawn = await opening_service.close(ctx.tx, opening.id, ctx.now, staff_id=ctx.staff_id)
    if withdrawn is None:
        return [Reply(_("Opening #{id} “{title}” is already closed.").format(id=opening.id, title=opening.title))]
    return [
        Reply(
            _("Opening #{id} “{title}” is closed. Alerts withdrawn: {n}.").format(
                id=opening.id, title=opening.title, n=withdrawn
            )
        )
    ]


FEATURE = Feature(
    "openings",
    commands=(
        Command(
            "newopening", lambda: _("Publish a job or internship opening (staff)"), flow="newopening", staff_only=True
        ),
        Command("closeopening", lambda: _("Close an opening (staff)"), run=close_command, staff_only=True),
    ),
    flows=(OpeningForm(),),
    actions=(Action("openings", openings_action, staff_only=True),),
)
