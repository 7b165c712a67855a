"""Training sessions and their reminders, as one feature: the trainee's commands and
buttons, the staff's tools, and the renderers of the reminders and notices."""

from __future__ import annotations

from bot.flows.registry import Action, Command, Feature
from bot.flows.training import reminders
from bot.flows.training.accept import AcceptFlow
from bot.flows.training.attendance import attendance_action, attendance_command
from bot.flows.training.sessions import SessionAdminFlow
from bot.i18n import _

FEATURE = Feature(
    "training",
    commands=(
        *reminders.COMMANDS,
        Command("accept", lambda: _("Accept an application into a cohort (staff)"), flow="accept", staff_only=True),
        Command("sessions", lambda: _("Add, move or cancel a session (staff)"), flow="sessions", staff_only=True),
        Command("attendance", lambda: _("Who comes to a session (staff)"), run=attendance_command, staff_only=True),
    ),
    flows=(AcceptFlow(), SessionAdminFlow()),
    actions=(*reminders.ACTIONS, Action("att", attendance_action, staff_only=True)),
    message_kinds=reminders.MESSAGE_KINDS,
)
