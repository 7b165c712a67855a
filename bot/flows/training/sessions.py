"""/sessions for staff: add, move or cancel one training session from the chat.

Cohort and session are chosen with buttons; times are typed in the
programme's zone like ``15.03.2027 17:30`` (see ``bot.parsing.localtime`` for the
daylight-saving rules). Every change ends in a confirmation; saving it
plans, re-plans or withdraws the reminders and tells the trainees
(``bot.services.sessions``) in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.flows.form import not_understood, paged, turn_page
from bot.flows.registry import FINISHED, Context, Flow, Step
from bot.flows.steps import SKIP, StepTable
from bot.flows.training.session_texts import COHORT_CREATE, detail_lines, short_label, start_text
from bot.i18n import _, ngettext, pgettext
from bot.messages import InputKind, Option, Reply, UserInput
from bot.parsing.localtime import LocalTimeError, TimeProblem, end_on_day, parse_local
from bot.services import sessions as session_changes
from storage import cohorts, sessions
from storage.conversations import ConversationState
from storage.sessions import Session, SessionDetails

TEXT_MAX = 200
URL_MAX = 500
LONGEST = timedelta(hours=24)


def _draft(state: ConversationState) -> Session:
    """The session as entered so far, to show it back."""
    data = state.data
    return Session(
        0,
        int(data["cohort"]),
        datetime.fromisoformat(data["start"]),
        datetime.fromisoformat(data["end"]),
        data.get("place"),
        data.get("url"),
        data.get("topic"),
        "scheduled",
        0,
    )


def _time_error(exc: LocalTimeError) -> str:
    if exc.problem == TimeProblem.NONEXISTENT:
        return _(
            "{time} does not exist here: that night the clocks jump from 02:00 to 03:00. Please choose another time."
        ).format(time=exc.text)
    return _("I couldn't read that. Please write the date and time like 15.03.2027 17:30.")


class SessionAdminFlow(Flow):
    name = "sessions"

    async def start(self, ctx: Context, state: ConversationState) -> list[Reply]:
        if not await cohorts.list_all(ctx.tx):
            state.step = FINISHED
            return [
                Reply(
                    _("There are no cohorts yet. Create one on the server with: {command}").format(
                        command=COHORT_CREATE
                    )
                )
            ]
        return await self._go(ctx, state, "cohort")

    async def _go(self, ctx: Context, state: ConversationState, step: str, note: str | None = None) -> list[Reply]:
        state.step = step
        state.data.pop("page", None)
        return ([Reply(note)] if note else []) + await self.prompt(ctx, state)

    async def _session(self, ctx: Context, state: ConversationState) -> Session | None:
        found = await sessions.get(ctx.tx, int(state.data.get("session") or 0))
        return found if found is not None and found.scheduled and found.cohort_id == state.data.get("cohort") else None

    # -- questions -------------------------------------------------------------

    def __init__(self) -> None:
        self.steps = (
            Step("cohort", self._ask_cohort, self._on_cohort, ("session",)),
            Step("session", self._ask_session, self._on_session, ("cohort", "start", "action")),
            Step("action", self._ask_action, self._on_action, ("session", "start", "confirm")),
            Step("start", self._ask_start, self._on_start, ("end", "session")),
            Step("end", self._ask_end, self._on_end, ("place", "confirm", "session")),
            Step("place", self._ask_place, self._on_place, ("topic", "session")),
            Step("topic", self._ask_topic, self._on_topic, ("confirm", "session")),
            Step("confirm", self._ask_confirm, self._on_confirm, ("action", "session", "start", "cohort", FINISHED)),
        )
        recover = Step("", self._ask_unknown, self._on_unknown, ("cohort", "session", FINISHED))
        self._table = StepTable(self.steps, otherwise=recover)

    async def prompt(self, ctx: Context, state: ConversationState) -> list[Reply]:
        return await self._table.prompt(ctx, state)

    async def _ask_cohort(self, ctx: Context, state: ConversationState) -> list[Reply]:
        options = [Option(f"c{c.id}", c.name[:60]) for c in await cohorts.list_all(ctx.tx)]
        return [Reply(_("Sessions: which cohort?"), paged(state, options))]

    async def _ask_session(self, ctx: Context, state: ConversationState) -> list[Reply]:
        cohort = await cohorts.get(ctx.tx, int(state.data["cohort"]))
        upcoming = await sessions.upcoming_of_cohort(ctx.tx, int(state.data["cohort"]), ctx.now)
        options = [
            Option("add", _("➕ Add a session")),
            *paged(state, [Option(f"s{s.id}", short_label(s, ctx.settings.timezone)) for s in upcoming]),
        ]
        text = (
            _("{cohort}: add a session, or choose one to move or cancel.")
            if upcoming
            else _("{cohort} has no upcoming sessions.")
        )
        return [Reply(text.format(cohort=cohort.name if cohort else "–"), [*options, Option("back", _("◀ Back"))])]

    async def _current(self, ctx: Context, state: ConversationState) -> Session | list[Reply] | None:
        """The session being moved or cancelled (None when adding one); or, when it was changed
        or cancelled in the meantime, the replies that take the conversation back to the list."""
        if state.data.get("mode") == "add":
            return None
        session = await self._session(ctx, state)
        if session is None:
            return await self._go(ctx, state, "session", _("That session was changed or cancelled in the meantime."))
        return session

    async def _ask_action(self, ctx: Context, state: ConversationState) -> list[Reply]:
        session = await self._current(ctx, state)
        if isinstance(session, list):
            return session
        if session is None:
            return await self._go(ctx, state, "cohort")
        options = [
            Option("move", _("Move to another time")),
            Option("cancel", _("Cancel this session")),
            Option("back", _("◀ Back")),
        ]
        return [Reply("\n".join(detail_lines(session, ctx.settings.timezone)), options)]

    async def _ask_start(self, ctx: Context, state: ConversationState) -> list[Reply]:
        session = await self._current(ctx, state)
        if isinstance(session, list):
            return session
        ask = _("Type the date and start time, like 15.03.2027 17:30.")
        if session is not None:
            ask = (
                _("Now: {when}.").format(when=start_text(session.starts_at, ctx.settings.timezone))
                + "\n"
                + _("Type the new date and start time, like 15.03.2027 17:30.")
            )
        return [Reply(ask)]

    async def _ask_end(self, ctx: Context, state: ConversationState) -> list[Reply]:
        session = await self._current(ctx, state)
        if isinstance(session, list):
            return session
        keep = [Option("keep", _("Same length as before"))] if session is not None else []
        return [Reply(_("Type the end time, like 19:00 (or a date and time if it ends on another day)."), keep)]

    async def _ask_place(self, ctx: Context, state: ConversationState) -> list[Reply]:
        session = await self._current(ctx, state)
        if isinstance(session, list):
            return session
        return [
            Reply(
                _("Where? Type the place (room and address), or the online link starting with {prefix}").format(
                    prefix="https://"
                )
            )
        ]

    async def _ask_topic(self, ctx: Context, state: ConversationState) -> list[Reply]:
        session = await self._current(ctx, state)
        if isinstance(session, list):
            return session
        return [Reply(_("Type the topic of the session, or press Skip."), [Option(SKIP, _("Skip"))])]

    async def _ask_confirm(self, ctx: Context, state: ConversationState) -> list[Reply]:
        tz, mode = ctx.settings.timezone, state.data.get("mode")
        session = await self._current(ctx, state)
        if isinstance(session, list):
            return session
        if mode == "cancel" and session is not None:
            text = "\n".join([_("Cancel this session? The trainees will be told."), "", *detail_lines(session, tz)])
            return [
                Reply(
                    text,
                    [Option("yes", _("Yes, cancel it")), Option("back", pgettext("cancel a session", "No, keep it"))],
                )
            ]
        if state.data.get("start"):
            head = (
                _("Please check the new session:")
                if mode == "add"
                else _("Move the session to this time? The trainees will be told.")
            )
            text = "\n".join([head, "", *detail_lines(_draft(state), tz)])
            return [Reply(text, [Option("save", _("Save")), Option("discard", _("Discard"))])]
        return await self._go(ctx, state, "cohort")

    async def _ask_unknown(self, ctx: Context, state: ConversationState) -> list[Reply]:
        """A step this version does not know: back to the first question."""
        session = await self._current(ctx, state)
        if isinstance(session, list):
            return session
        return await self._go(ctx, state, "cohort")

    async def _on_unknown(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        return await self.start(ctx, state)

    # -- answers ---------------------------------------------------------------

    async def handle(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        if turn_page(state, inp):
            return await self.prompt(ctx, state)
        return await self._table.handle(ctx, state, inp)

    async def _again(self, ctx: Context, state: ConversationState, message: str) -> list[Reply]:
        return [Reply(message), *await self.prompt(ctx, state)]

    async def _on_cohort(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        found = await cohorts.list_all(ctx.tx)
        typed = inp.text.strip().casefold()
        chosen = next(
            (
                c
                for c in found
                if (inp.kind == InputKind.OPTION and inp.text == f"c{c.id}")
                or (inp.kind == InputKind.TEXT and typed in (c.code.casefold(), c.name.casefold()))
            ),
            None,
        )
        if chosen is None:
            return await self._again(ctx, state, _("Please choose the cohort with the buttons below."))
        state.data["cohort"] = chosen.id
        return await self._go(ctx, state, "session")

    async def _on_session(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        if inp.kind == InputKind.OPTION and inp.text == "back":
            return await self._go(ctx, state, "cohort")
        if inp.kind == InputKind.OPTION and inp.text == "add":
            state.data.update(mode="add", session=None)
            return await self._go(ctx, state, "start")
        if inp.kind == InputKind.OPTION and inp.text.startswith("s") and inp.text[1:].isdigit():
            state.data.update(session=int(inp.text[1:]), mode="edit")
            return await self._go(ctx, state, "action")
        return await self._again(ctx, state, _("Please use the buttons below."))

    async def _on_action(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        choice = inp.text if inp.kind == InputKind.OPTION else None
        if choice == "back":
            return await self._go(ctx, state, "session")
        if choice in ("move", "cancel"):
            state.data["mode"] = choice
            return await self._go(ctx, state, "start" if choice == "move" else "confirm")
        return await self._again(ctx, state, _("Please use the buttons below."))

    async def _on_start(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        if inp.kind != InputKind.TEXT:
            return await self._again(
                ctx, state, not_understood(inp) if inp.kind != InputKind.OPTION else _("Please type the date and time.")
            )
        try:
            moment = parse_local(inp.text, ctx.settings.timezone)
        except LocalTimeError as exc:
            return await self._again(ctx, state, _time_error(exc))
        if moment.utc <= ctx.now:
            return await self._again(ctx, state, _("That time has already passed. Please type a future date and time."))
        state.data["start"] = moment.utc.isoformat()
        note = None
        if moment.ambiguous:
            note = _(
                "Note: that night the clocks go back, so this time happens twice. I took the first one (summer time)."
            )
        return await self._go(ctx, state, "end", note)

    async def _on_end(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        start = datetime.fromisoformat(state.data["start"])
        session = await self._session(ctx, state)
        if inp.kind == InputKind.OPTION and inp.text == "keep" and session is not None:
            end = start + (session.ends_at - session.starts_at)
        elif inp.kind == InputKind.TEXT:
            try:
                end = end_on_day(inp.text, start.astimezone(ctx.settings.timezone).date(), ctx.settings.timezone).utc
            except LocalTimeError as exc:
                return await self._again(
                    ctx,
                    state,
                    _time_error(exc)
                    if exc.problem == TimeProblem.NONEXISTENT
                    else _("I couldn't read that. Please write the end time like 19:00."),
                )
        else:
            return await self._again(
                ctx, state, not_understood(inp) if inp.kind != InputKind.OPTION else _("Please type the end time.")
            )
        if not start < end <= start + LONGEST:
            return await self._again(
                ctx, state, _("The end must be after the start, and a session lasts at most 24 hours.")
            )
        state.data["end"] = end.isoformat()
        return await self._go(ctx, state, "place" if state.data.get("mode") == "add" else "confirm")

    async def _on_place(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        text = inp.text.strip() if inp.kind == InputKind.TEXT else ""
        is_link = text.lower().startswith(("https://", "http://"))
        if len(text) < 2 or len(text) > (URL_MAX if is_link else TEXT_MAX) or (is_link and " " in text):
            return await self._again(
                ctx,
                state,
                _("Please type a place (up to {n} characters) or one link starting with {prefix}").format(
                    n=TEXT_MAX, prefix="https://"
                ),
            )
        state.data.update(place=None if is_link else text, url=text if is_link else None)
        return await self._go(ctx, state, "topic")

    async def _on_topic(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        if inp.kind == InputKind.OPTION and inp.text == SKIP:
            state.data["topic"] = None
        elif inp.kind == InputKind.TEXT and 0 < len(inp.text.strip()) <= TEXT_MAX:
            state.data["topic"] = inp.text.strip()
        else:
            return await self._again(
                ctx, state, _("Please type a topic of up to {n} characters, or press Skip.").format(n=TEXT_MAX)
            )
        return await self._go(ctx, state, "confirm")

    async def _on_confirm(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        choice = inp.text if inp.kind == InputKind.OPTION else None
        mode = state.data.get("mode")
        if choice == "discard":
            state.step = FINISHED
            return [Reply(_("Nothing was saved."))]
        if choice == "back":
            return await self._go(ctx, state, "action")
        if choice not in ("save", "yes"):
            return await self._again(ctx, state, _("Please use the buttons below."))
        session = await self._session(ctx, state)
        if mode != "add" and session is None:
            return await self._go(ctx, state, "session", _("That session was changed or cancelled in the meantime."))
        try:
            text = await self._save(ctx, state, session)
        except session_changes.SessionClash:
            return await self._go(
                ctx,
                state,
                "start",
                _("Another session of this cohort already starts at that time. Please choose another time."),
            )
        state.step = FINISHED
        return [Reply(text)]

    async def _save(self, ctx: Context, state: ConversationState, session: Session | None) -> str:
        tz, mode = ctx.settings.timezone, state.data.get("mode")
        if mode == "cancel" and session is not None:
            told = await session_changes.cancel(ctx.tx, session, ctx.now) or 0
            return ngettext(
                "The session was cancelled; {n} trainee will be told.",
                "The session was cancelled; {n} trainees will be told.",
                told,
            ).format(n=told)
        draft = _draft(state)
        if mode == "move" and session is not None:
            moved, _planned = await session_changes.move(
                ctx.tx, session, draft.starts_at, draft.ends_at, ctx.settings, ctx.now
            )
            return _("The session was moved to {when}; the trainees will be told.").format(
                when=start_text(moved.starts_at, tz)
            )
        details = SessionDetails(draft.starts_at, draft.ends_at, draft.place, draft.online_url, draft.topic)
        added, planned = await session_changes.add(ctx.tx, int(state.data["cohort"]), details, ctx.settings, ctx.now)
        return (
            _("The session on {when} was added.").format(when=start_text(added.starts_at, tz))
            + " "
            + ngettext("{n} reminder planned.", "{n} reminders planned.", planned).format(n=planned)
        )
