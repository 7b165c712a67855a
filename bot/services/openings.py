"""Job openings: the rules an opening must meet, publishing (with its alerts), editing, closing, and interest.

The chat's /newopening and /closeopening and the console's openings pages all
come through here: ``problems`` holds the rules the chat form asks question by
question, and ``publish`` and ``update`` refuse an opening that breaks one.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

import aiosqlite

from bot.config import Settings
from bot.i18n import _
from bot.parsing.openings import LENGTHS, deadline_problem, has_contact
from bot.reference.municipalities import Municipalities
from bot.reference.tracks import TRACKS
from bot.services import audit
from bot.services.alerts import queue_alerts
from bot.services.opening_days import local_today
from storage import openings, outbox
from storage.openings import KINDS, NewOpening, Opening

ONE_LINE = ("title", "employer")


class OpeningRejected(ValueError):
    """The opening breaks a rule; ``problems`` maps each field to what is wrong (translated)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


def tidy(new: NewOpening) -> NewOpening:
    """Fold runs of spaces in one-line fields and trim the others, as the chat form does."""
    return NewOpening(
        kind=new.kind,
        title=" ".join(new.title.split()),
        employer=" ".join(new.employer.split()),
        description=new.description.strip(),
        municipality=new.municipality,
        tracks=tuple(dict.fromkeys(new.tracks)),
        deadline=new.deadline,
        apply_how=new.apply_how.strip(),
    )


def problems(new: NewOpening, today: date, municipalities: Municipalities) -> dict[str, str]:
    """What is wrong with an opening (field → message in the current language); empty when nothing is."""
    found: dict[str, str] = {}
    if new.kind not in KINDS:
        found["kind"] = _("Is it a job or an internship?")
    for field, (low, high) in LENGTHS.items():
        value: str = getattr(new, field)
        if len(value) < low:
            found[field] = _("That is too short: please write at least {n} characters.").format(n=low)
        elif len(value) > high:
            found[field] = _(
                "That is {length} characters long; up to {limit} characters are accepted. Please shorten it."
            ).format(length=len(value), limit=high)
    if "apply_how" not in found and not has_contact(new.apply_how):
        found["apply_how"] = _(
            "Please include a link (https://...), an e-mail address or a phone number, so people know where to apply."
        )
    if new.municipality is not None and municipalities.get(new.municipality) is None:
        found["place"] = _("Where is the work? Choose the municipality, or Remote.")
    if not new.tracks or any(t not in TRACKS for t in new.tracks):
        found["tracks"] = _("Which of the programme's tracks does it fit? Tick one or more, then press Done.")
    late = deadline_problem(new.deadline, today)
    if late is not None:
        found["deadline"] = late
    return found


@lru_cache(maxsize=1)
def _municipalities() -> Municipalities:
    return Municipalities.load()


def _check(new: NewOpening, settings: Settings, now: datetime) -> NewOpening:
    new = tidy(new)
    wrong = problems(new, local_today(settings, now), _municipalities())
    if wrong:
        raise OpeningRejected(wrong)
    return new


async def publish(
    tx: aiosqlite.Connection,
    new: NewOpening,
    created_by: int | None,
    settings: Settings,
    now: datetime,
    staff_id: int | None = None,
) -> tuple[Opening, int]:
    """Save the opening and queue its alerts; returns it and how many alerts were queued."""
    opening = await openings.create(tx, _check(new, settings, now), created_by, now)
    alerted = await queue_alerts(tx, opening, settings, now)
    await audit.record(
        tx,
        staff_id=staff_id,
        action="opening.publish",
        target_kind="opening",
        target_id=str(opening.id),
        detail={"kind": opening.kind, "tracks": list(opening.tracks), "alerts": alerted},
        now=now,
    )
    return opening, alerted


async def update(
    tx: aiosqlite.Connection,
    opening_id: int,
    new: NewOpening,
    settings: Settings,
    now: datetime,
    staff_id: int | None = None,
) -> tuple[Opening, int] | None:
    """Edit an open opening; people whose alerts fit it only now get its alert (nobody gets it twice).

    Returns it and how many new alerts were queued; None when it is closed or unknown."""
    if not await openings.update(tx, opening_id, _check(new, settings, now)):
        return None
    opening = await openings.get(tx, opening_id)
    assert opening is not None
    alerted = await queue_alerts(tx, opening, settings, now)
    await audit.record(
        tx,
        staff_id=staff_id,
        action="opening.update",
        target_kind="opening",
        target_id=str(opening.id),
        detail={"kind": opening.kind, "tracks": list(opening.tracks), "alerts": alerted},
        now=now,
    )
    return opening, alerted


async def close(tx: aiosqlite.Connection, opening_id: int, now: datetime, staff_id: int | None = None) -> int | None:
    """Close the opening and withdraw its alerts not yet sent; how many were withdrawn, None when not open."""
    if not await openings.close(tx, opening_id, now):
        return None
    withdrawn = await outbox.cancel_pending(tx, f"opening:{opening_id}")
    await audit.record(
        tx,
        staff_id=staff_id,
        action="opening.close",
        target_kind="opening",
        target_id=str(opening_id),
        detail={"alerts_withdrawn": withdrawn},
        now=now,
    )
    return withdrawn


async def add_interest(tx: aiosqlite.Connection, opening_id: int, user_id: int, now: datetime) -> bool:
    return await openings.add_interest(tx, opening_id, user_id, now)
