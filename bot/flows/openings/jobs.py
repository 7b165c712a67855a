"""/jobs: open job and internship openings, a page at a time, with filters,
details and "I'm interested".

Browsing keeps no conversation state: every button is an action whose key
carries what to show (``jobs.list.<page>.<kind>.<track>``,
``jobs.show.<id>.<page>.<kind>.<track>``, ``jobs.interest.<id>``...), so a
button from an old message still does what it says. Every argument is
checked; a forged one answers None ("that button is no longer active"). An
opening closed or past its deadline is shown as closed, never as an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.flows.openings.opening_card import (
    KINDS_PLURAL,
    card,
    interest_option,
    list_line,
)
from bot.flows.registry import Action, Command, Context, Feature
from bot.i18n import _, format_date, ngettext
from bot.messages import Option, Reply
from bot.reference.tracks import TRACKS, track_label
from bot.services import openings as opening_service
from bot.services.notices import notify_staff
from bot.services.opening_days import local_today
from storage import applications, openings
from storage.openings import Opening

PAGE_SIZE = 5
ANY = "all"
MAX_PAGE = 10_000
KIND_FILTERS = (ANY, *openings.KINDS)
TRACK_FILTERS = (ANY, *TRACKS)


@dataclass(frozen=True)
class Listing:
    """One page of the list under one filter; what a list button carries."""

    page: int = 0
    kind: str = ANY
    track: str = ANY

    @property
    def args(self) -> str:
        return f"{self.page}.{self.kind}.{self.track}"

    @staticmethod
    def parse(args: list[str]) -> Listing | None:
        if len(args) != 3 or not args[0].isdigit() or int(args[0]) > MAX_PAGE:
            return None
        if args[1] not in KIND_FILTERS or args[2] not in TRACK_FILTERS:
            return None
        return Listing(int(args[0]), args[1], args[2])


def _opening_id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None  # keeps every key within 56 bytes


def _filter_label(listing: Listing) -> str:
    parts = []
    if listing.kind != ANY:
        parts.append(_(KINDS_PLURAL[listing.kind]))
    if listing.track != ANY:
        parts.append(track_label(listing.track))
    return " · ".join(parts)


async def show_list(ctx: Context, listing: Listing) -> list[Reply]:
    today = local_today(ctx.settings, ctx.now)
    kind = None if listing.kind == ANY else listing.kind
    track = None if listing.track == ANY else listing.track
    total = await openings.count_open(ctx.tx, today, kind, track)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(listing.page, pages - 1)
    shown = await openings.list_open(ctx.tx, today, kind, track, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
    filtered = _filter_label(listing)
    lines = []
    if not shown and not filtered:
        lines.append(_("There are no open jobs or internships right now. Turn on /alerts to hear about new ones."))
    elif not shown:
        lines.append(_("No current openings match this filter ({filter}).").format(filter=filtered))
    else:
        heading = ngettext("{n} current opening", "{n} current openings", total).format(n=total)
        if filtered:
            heading += f" ({filtered})"
        if pages > 1:
            heading += " · " + _("page {page} of {pages}").format(page=page + 1, pages=pages)
        lines += [heading, ""]
        lines += [list_line(page * PAGE_SIZE + n, o, ctx.municipalities) for n, o in enumerate(shown, 1)]
    here = Listing(page, listing.kind, listing.track)
    options = [
        Option(f"jobs.show.{o.id}.{here.args}", f"{page * PAGE_SIZE + n}. {o.title}"[:40])
        for n, o in enumerate(shown, 1)
    ]
    if page > 0:
        options.append(Option(f"jobs.list.{page - 1}.{listing.kind}.{listing.track}", _("◀ Previous")))
    if page < pages - 1:
        options.append(Option(f"jobs.list.{page + 1}.{listing.kind}.{listing.track}", _("Next ▶")))
    options.append(Option(f"jobs.kinds.{listing.track}", _("Filter by type")))
    options.append(Option(f"jobs.tracks.{listing.kind}", _("Filter by track")))
    if filtered:
        options.append(Option(f"jobs.list.0.{ANY}.{ANY}", _("Show all")))
    return [Reply("\n".join(lines), options, menu=True)]


def _kind_picker(track: str) -> Reply:
    options = [Option(f"jobs.list.0.{ANY}.{track}", _("Jobs and internships"))]
    options += [Option(f"jobs.list.0.{kind}.{track}", _(KINDS_PLURAL[kind])) for kind in openings.KINDS]
    return Reply(_("Which openings would you like to see?"), options, menu=True)


def _track_picker(kind: str) -> Reply:
    options = [Option(f"jobs.list.0.{kind}.{ANY}", _("Every track"))]
    options += [Option(f"jobs.list.0.{kind}.{key}", track_label(key)) for key in TRACKS]
    return Reply(_("Which track?"), options, menu=True)


async def show_opening(ctx: Context, opening: Opening, back: Listing) -> list[Reply]:
    is_open = opening.is_open_on(local_today(ctx.settings, ctx.now))
    options = [interest_option(opening.id)] if is_open else []
    options.append(Option(f"jobs.list.{back.args}", _("◀ Back to the list")))
    text = card(opening, ctx.municipalities, local_today(ctx.settings, ctx.now))
    if ctx.is_staff:
        count = await openings.interest_count(ctx.tx, opening.id)
        text += "\n\n" + ngettext(
            "Staff: {n} person is interested.", "Staff: {n} people are interested.", count
        ).format(n=count)
        if opening.status == "open":
            options.append(Option(f"openings.close.{opening.id}", _("Close this opening")))
    return [Reply(text, options, menu=True)]


async def _contact(ctx: Context) -> str:
    """How staff can reach the person: the phone and e-mail of their latest application."""
    rows = await applications.personal_rows(ctx.tx, ctx.user.id)
    latest = rows[-1] if rows else {}
    known = [value for value in (latest.get("phone"), latest.get("email")) if value]
    account = f"{ctx.user.channel} {ctx.user.platform_id}"
    return ", ".join([*known, account])


async def record_interest(ctx: Context, opening: Opening) -> list[Reply]:
    back = [Option(f"jobs.list.{Listing().args}", _("More openings"))]
    if not opening.is_open_on(local_today(ctx.settings, ctx.now)):
        return [
            Reply(
                _("Sorry, “{title}” is closed: it no longer takes applications.").format(title=opening.title),
                back,
                menu=True,
            )
        ]
    since = await openings.interest_since(ctx.tx, opening.id, ctx.user.id)
    if since is not None:
        return [
            Reply(
                _(
                    "You already told us you are interested in “{title}” (on {date}); the programme's staff know. To apply: {how}"
                ).format(
                    title=opening.title,
                    date=format_date(since.astimezone(ctx.settings.timezone).date()),
                    how=opening.apply_how,
                ),
                back,
                menu=True,
            )
        ]
    await opening_service.add_interest(ctx.tx, opening.id, ctx.user.id, ctx.now)
    name = ctx.user.display_name or "–"
    contact = await _contact(ctx)
    await notify_staff(
        ctx.tx,
        ctx.settings,
        ctx.now,
        lambda: _("{name} is interested in opening #{id}: {title} ({employer}). Contact: {contact}").format(
            name=name, id=opening.id, title=opening.title, employer=opening.employer, contact=contact
        ),
        dedup_key=f"interest:{opening.id}:{ctx.user.id}",
    )
    return [
        Reply(
            _(
                "Thank you! We noted your interest in “{title}” and told the programme's staff, who may contact you. To apply: {how}"
            ).format(title=opening.title, how=opening.apply_how),
            back,
            menu=True,
        )
    ]


async def jobs_action(ctx: Context, args: list[str]) -> list[Reply] | None:
    match args:
        case ["list", *rest]:
            listing = Listing.parse(rest)
            return None if listing is None else await show_list(ctx, listing)
        case ["kinds", track] if track in TRACK_FILTERS:
            return [_kind_picker(track)]
        case ["tracks", kind] if kind in KIND_FILTERS:
            return [_track_picker(kind)]
        case ["show", raw_id, *rest]:
            back = Listing.parse(rest) if rest else Listing()
            opening_id = _opening_id(raw_id)
            opening = await openings.get(ctx.tx, opening_id) if opening_id is not None else None
            return None if opening is None or back is None else await show_opening(ctx, opening, back)
        case ["interest", raw_id]:
            opening_id = _opening_id(raw_id)
            opening = await openings.get(ctx.tx, opening_id) if opening_id is not None else None
            return None if opening is None else await record_interest(ctx, opening)
    return None


async def jobs_command(ctx: Context) -> list[Reply]:
    return await show_list(ctx, Listing())


FEATURE = Feature(
    "jobs",
    commands=(
        Command(
            "jobs",
            lambda: _("Job and internship openings"),
            run=jobs_command,
            shortcut=lambda: _("Jobs and internships"),
        ),
    ),
    actions=(Action("jobs", jobs_action),),
)
