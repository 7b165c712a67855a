"""/alerts: new-opening alerts on or off, for which tracks; STOP ends every
alert and broadcast.

STOP works at any moment, typed alone in any of the bot's languages (STOP,
NDAL, СТОП; any case): the engine looks it up among the features' keywords
before anything else. The buttons are actions (``alerts.<what>``), valid from
any old message. An alert is an outbox row rendered when it is sent, so an
opening closed meanwhile, or a person who said STOP meanwhile, gets nothing.
"""

from __future__ import annotations

from bot.flows.openings.opening_card import (
    card,
    default_municipalities,
    interest_option,
)
from bot.flows.registry import Action, Command, Context, Delivery, Feature, Keyword, MessageKind
from bot.i18n import _
from bot.messages import Option, Reply
from bot.reference.tracks import TRACKS, track_label, track_list
from bot.services import alerts as alert_service
from bot.services.alerts import ALERT_KIND
from bot.services.opening_days import local_today
from storage import alerts, openings

# Channels that can receive proactive messages (an outbox sender runs for them).
STOP_WORDS = ("stop", "ndal", "стоп")  # English and Serbian Latin, Albanian, Serbian Cyrillic


def stop_hint() -> str:
    return _("To stop these messages, send STOP.")


async def alerts_screen(ctx: Context) -> list[Reply]:
    prefs = await alerts.get(ctx.tx, ctx.user.id)
    if prefs.stopped:
        text = _("You have stopped all job alerts and announcements from us.")
        options = [
            Option("alerts.resume", _("Get announcements again")),
            Option("alerts.on", _("Turn on job alerts")),
        ]
    elif prefs.alerts:
        if prefs.tracks:
            text = _("Job alerts are on: you get a message when a new opening fits {tracks}.").format(
                tracks=track_list(prefs.tracks)
            )
        else:
            text = _("Job alerts are on: you get a message about every new opening.")
        options = [
            Option("alerts.tracks", _("Choose tracks")),
            Option("alerts.off", _("Turn off job alerts")),
            Option("alerts.stop", _("Stop all messages")),
        ]
    else:
        text = _(
            "Job alerts are off. Turn them on to get a message when a new job or internship opens in the tracks you choose."
        )
        options = [Option("alerts.on", _("Turn on job alerts")), Option("alerts.stop", _("Stop all messages"))]
    if not prefs.stopped:
        text += "\n\n" + _("You can stop all alerts and announcements at any time by sending STOP.")
    return [Reply(text, options, menu=True)]


async def _track_picker(ctx: Context) -> list[Reply]:
    chosen = (await alerts.get(ctx.tx, ctx.user.id)).tracks
    options = [Option(f"alerts.t.{key}", ("✓ " if key in chosen else "") + track_label(key)) for key in TRACKS]
    options += [Option("alerts.all", ("✓ " if not chosen else "") + _("Every track")), Option("alerts.show", _("Done"))]
    text = _(
        "Which tracks would you like alerts for? Tap a track to tick or untick it; with none ticked you get alerts for every track."
    )
    return [Reply(text, options, menu=True)]


async def stop_everything(ctx: Context) -> list[Reply]:
    await alert_service.stop(ctx.tx, ctx.user.id, ctx.now)
    return [
        Reply(
            _(
                "Done: you will get no more job alerts or announcements from us. You can still use the bot as usual. To receive them again, send /alerts."
            ),
            [Option("alerts", _("Job alerts"))],
            menu=True,
        )
    ]


async def alerts_action(ctx: Context, args: list[str]) -> list[Reply] | None:
    user, now = ctx.user.id, ctx.now
    match args:
        case ["show"]:
            return await alerts_screen(ctx)
        case ["on"]:
            await alert_service.set_alerts(ctx.tx, user, True, now)
            return await alerts_screen(ctx)
        case ["off"]:
            await alert_service.set_alerts(ctx.tx, user, False, now)
            return await alerts_screen(ctx)
        case ["resume"]:
            await alert_service.resume(ctx.tx, user, now)
            return [Reply(_("You will receive announcements from the programme again.")), *await alerts_screen(ctx)]
        case ["stop"]:
            return await stop_everything(ctx)
        case ["tracks"]:
            return await _track_picker(ctx)
        case ["all"]:
            await alert_service.set_tracks(ctx.tx, user, (), now)
            return await _track_picker(ctx)
        case ["t", key] if key in TRACKS:
            chosen = set((await alerts.get(ctx.tx, user)).tracks) ^ {key}
            await alert_service.set_tracks(ctx.tx, user, chosen, now)
            return await _track_picker(ctx)
    return None


async def render_alert(delivery: Delivery) -> Reply | None:
    """The alert as it stands when sent; None when the opening closed or the person opted out since."""
    if delivery.user is None:
        return None
    opening = await openings.get(delivery.conn, int(delivery.item.payload["opening"]))
    today = local_today(delivery.settings, delivery.now)
    if opening is None or not opening.is_open_on(today):
        return None
    prefs = await alerts.get(delivery.conn, delivery.user.id)
    if prefs.stopped or not prefs.alerts:
        return None
    text = "\n\n".join([_("New opening for you:"), card(opening, default_municipalities(), today), stop_hint()])
    return Reply(text, [interest_option(opening.id), Option("alerts.show", _("Alert settings"))], menu=True)


FEATURE = Feature(
    "alerts",
    commands=(
        Command(
            "alerts",
            lambda: _("Job alerts on or off, and for which tracks"),
            run=alerts_screen,
            shortcut=lambda: _("Job alerts"),
        ),
    ),
    actions=(Action("alerts", alerts_action),),
    message_kinds=(MessageKind(ALERT_KIND, render_alert),),
    keywords=(Keyword(STOP_WORDS, stop_everything),),
)
