"""What a broadcast says: to each recipient, and to the staff member about its progress.

Recipient messages are rendered when each row is sent, in the recipient's
language: an opening that closed meanwhile, or a person who said STOP
meanwhile, gets nothing (the row is cancelled and counted as skipped).
"""

from __future__ import annotations

from datetime import date

from bot.flows.openings.alerts import stop_hint
from bot.flows.openings.opening_card import (
    card,
    default_municipalities,
    interest_option,
)
from bot.flows.registry import Delivery
from bot.i18n import N_, _, current_language
from bot.messages import Option, Reply
from bot.reference.municipalities import Municipalities
from bot.reference.texts import programme_title
from bot.reference.tracks import track_label
from bot.services import broadcasts as broadcast_changes
from bot.services.opening_days import local_today
from storage import Connection, alerts, broadcasts, cohorts, openings, programmes
from storage.broadcasts import Broadcast, DeliveryCounts
from storage.openings import Opening
from storage.segments import Segment

SEGMENT_LABELS = {
    "everyone": N_("Everyone with alerts"),
    "track": N_("Alerts for one track"),
    "municipality": N_("From one municipality"),
    "cohort": N_("Trainees of one cohort"),
    "graduates": N_("All graduates"),
    "programme": N_("Applicants by programme"),
}


async def segment_label(conn: Connection, segment: Segment, municipalities: Municipalities) -> str:
    """The segment in words, with its track, municipality, cohort or programme named."""
    if segment.arg is None:
        return _(SEGMENT_LABELS[segment.kind])
    if segment.kind == "track":
        return _("People with alerts for {track}").format(track=track_label(segment.arg))
    if segment.kind == "municipality":
        found = municipalities.get(segment.arg)
        name = found.name(current_language().code) if found else segment.arg
        return _("Applicants from {municipality}").format(municipality=name)
    if segment.kind == "cohort":
        cohort = await cohorts.by_code(conn, segment.arg)
        return _("Trainees of cohort {cohort}").format(cohort=cohort.name if cohort else segment.arg)
    programme = await programmes.by_code(conn, segment.arg)
    return _("Applicants to {programme}").format(programme=programme_title(programme) if programme else segment.arg)


def message_for(opening: Opening | None, text: str | None, municipalities: Municipalities, today: date) -> Reply | None:
    """The message one recipient gets; None when its opening no longer takes applications."""
    if opening is not None:
        if not opening.is_open_on(today):
            return None
        body = "\n\n".join([_("An opening from the programme:"), card(opening, municipalities, today), stop_hint()])
        return Reply(body, [interest_option(opening.id), Option("jobs", _("More openings"))], menu=True)
    return Reply("\n\n".join([_("A message from the programme:"), text or "", stop_hint()]))


async def render_broadcast(delivery: Delivery) -> Reply | None:
    """One recipient's message. The broadcast, its opening, who said STOP and the message in
    each language are read or built once per group of rows (``delivery.memo``), not per row."""
    memo, conn, user = delivery.memo, delivery.conn, delivery.user
    broadcast_id = int(delivery.item.payload["broadcast"])
    if ("broadcast", broadcast_id) not in memo:
        memo["broadcast", broadcast_id] = await broadcasts.get(conn, broadcast_id)
    broadcast = memo["broadcast", broadcast_id]
    if not isinstance(broadcast, Broadcast) or user is None:
        return None
    if "stopped" not in memo:  # the group holds this row, so its person is asked about too
        ids = [i.user_id for i in delivery.group if i.user_id is not None]
        memo["stopped"] = await alerts.stopped_among(conn, [*ids, user.id])
    stopped = memo["stopped"]
    if isinstance(stopped, set) and user.id in stopped:
        return None
    key = ("message", broadcast_id, current_language().code)
    if key not in memo:
        opening = await openings.get(conn, broadcast.opening_id) if broadcast.opening_id else None
        if broadcast.opening_id and opening is None:
            memo[key] = None
        else:
            today = local_today(delivery.settings, delivery.now)
            memo[key] = message_for(opening, broadcast.text, default_municipalities(), today)
    reply = memo[key]
    return reply if isinstance(reply, Reply) else None


def progress_text(broadcast: Broadcast, counts: DeliveryCounts) -> str:
    """While sending: one short line of counts (the message is edited as they change)."""
    return _("Broadcast #{id} is being sent.\nSent: {sent} · not delivered: {failed} · remaining: {remaining}").format(
        id=broadcast.id, sent=counts.sent, failed=counts.failed + counts.unreachable, remaining=counts.remaining
    )


def final_text(broadcast: Broadcast, counts: DeliveryCounts) -> str:
    lines = [
        _("Broadcast #{id} is finished.").format(id=broadcast.id),
        _("Sent: {n}").format(n=counts.sent),
        _("Not delivered: {n} (of them {blocked} have blocked the bot)").format(
            n=counts.failed + counts.unreachable, blocked=counts.unreachable
        ),
        _("Skipped (said STOP, or the opening closed meanwhile): {n}").format(n=counts.skipped),
    ]
    if counts.interrupted:
        lines.append(
            _("Cut off by a restart while sending (may or may not have arrived): {n}").format(n=counts.interrupted)
        )
    return "\n".join(lines)


async def render_progress(delivery: Delivery) -> Reply | None:
    broadcast = await broadcasts.get(delivery.conn, int(delivery.item.payload["broadcast"]))
    if broadcast is None:
        return None
    counts = await broadcasts.delivery_counts(delivery.conn, broadcast.id)
    text = final_text(broadcast, counts) if counts.remaining == 0 else progress_text(broadcast, counts)
    await broadcast_changes.note_progress_shown(delivery.conn, broadcast.id, text)
    return Reply(text)
