"""/mydata: everything stored about the person, in their language, and the same as a file.

The right of access asks for an intelligible form: the labels are the form's own, codes
are shown as the words the person chose (programme titles, municipality names, dates
with Babel), one message per group. The JSON copy (bot/reports/personal_copy.py) is the
portable one, with stable keys.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.flows.apply import QUESTIONS
from bot.flows.form import Question
from bot.flows.link import channel_name
from bot.flows.registry import Command, Context, Feature
from bot.flows.surveys import answering
from bot.i18n import LANGUAGES, N_, _, format_date, ngettext
from bot.messages import Document, Reply
from bot.reference.texts import application_status, programme_title
from bot.reference.tracks import track_list
from bot.reports.personal_copy import as_json, personal_copy
from bot.surveys.loader import catalogue_for
from storage import person_record, programmes
from storage.person_record import ApplicationFacts, EnrolmentFacts, PersonRecord, SurveyFacts

ENROLMENT_STATUSES = {
    "enrolled": N_("in training"),
    "completed": N_("graduated"),
    "dropped": N_("left the training"),
}
SURVEY_STATUSES = {
    "planned": N_("planned"),
    "started": N_("started, not finished"),
    "completed": N_("answered"),
    "expired": N_("closed without an answer"),
}
FORMS = {"apply": N_("application form"), "survey": N_("survey")}


def _day(ctx: Context, moment: datetime | None) -> str:
    return format_date(moment.astimezone(ctx.settings.timezone).date()) if moment is not None else "–"


async def _programme(ctx: Context, code: str) -> str:
    programme = await programmes.by_code(ctx.tx, code)
    return programme_title(programme) if programme is not None else code


async def _answer(ctx: Context, question: Question, value: Any) -> str:
    return _("(skipped)") if value is None else await question.show(ctx, value)


def _section(title: str, lines: list[str]) -> Reply:
    return Reply("\n".join([f"▪ {title}", *lines]))


async def _account(ctx: Context, record: PersonRecord) -> Reply:
    account = record.account
    language = LANGUAGES[account.language].native_name if account.language in LANGUAGES else "–"
    lines = [
        _("Account: {channel} {platform_id}").format(
            channel=channel_name(account.channel), platform_id=account.platform_id
        ),
        _("Name on the account: {name}").format(name=account.display_name or "–"),
        _("Language: {language}").format(language=language),
        _("First contact: {date}").format(date=_day(ctx, account.created_at)),
    ]
    if record.form is not None:
        count = len(record.form.answers)
        form = _(FORMS[record.form.flow]) if record.form.flow in FORMS else record.form.flow
        lines.append(
            ngettext(
                "A form in progress ({form}) with {n} answer.", "A form in progress ({form}) with {n} answers.", count
            ).format(form=form, n=count)
        )
    for link in record.links:
        lines.append(
            _("Linked with your {channel} account since {date}").format(
                channel=channel_name(link.channel), date=_day(ctx, link.linked_at)
            )
        )
    return _section(_("Account and language"), lines)


async def _application(ctx: Context, app: ApplicationFacts) -> list[str]:
    stored: dict[str, Any] = {
        "programme": app.programme_code,
        "full_name": app.full_name,
        "birth_date": app.birth_date,
        "gender": app.gender,
        "municipality": app.municipality,
        "phone": app.phone,
        "email": app.email,
        "education": app.education,
        "employment": app.employment,
        "motivation": app.motivation,
        "heard_from": app.heard_from if app.heard_from != "link" else None,
        "guardian_name": app.guardian_name,
        "guardian_phone": app.guardian_phone,
    }
    lines = [
        _("Application {reference}:").format(reference=app.reference),
        "  " + _("Status: {status}").format(status=application_status(app.status)),
        "  " + _("Sent on: {date}").format(date=_day(ctx, app.created_at)),
    ]
    for question in QUESTIONS:
        value = stored.get(question.id)
        if question.id == "programme":
            lines.append(f"  {question.label()}: {await _programme(ctx, app.programme_code)}")
        elif value is not None:
            lines.append(f"  {question.label()}: {await _answer(ctx, question, value)}")
    if app.guardian_confirmed_at is not None:
        lines.append(
            "  " + _("Guardian's agreement confirmed on: {date}").format(date=_day(ctx, app.guardian_confirmed_at))
        )
    if app.consent_at is not None:
        lines.append("  " + _("Consent given on: {date}").format(date=_day(ctx, app.consent_at)))
    for step in app.history:
        lines.append(
            "  "
            + f"{_day(ctx, step.at)}: {application_status(step.to_status)}"
            + (f" – “{step.personal_note}”" if step.personal_note else "")
        )
    return lines


async def _enrolment(ctx: Context, enrolment: EnrolmentFacts) -> list[str]:
    status = _(ENROLMENT_STATUSES[enrolment.status]) if enrolment.status in ENROLMENT_STATUSES else enrolment.status
    lines = [
        _("{programme}, group {cohort}: {status}, since {date}").format(
            programme=await _programme(ctx, enrolment.programme_code),
            cohort=enrolment.cohort_name,
            status=status,
            date=_day(ctx, enrolment.enrolled_at),
        )
    ]
    if enrolment.graduates_on is not None:
        lines.append("  " + _("Graduation: {date}").format(date=format_date(enrolment.graduates_on)))
    if enrolment.dropped_on is not None:
        reason = f" – “{enrolment.dropout_reason}”" if enrolment.dropout_reason else ""
        lines.append("  " + _("Left on: {date}").format(date=format_date(enrolment.dropped_on)) + reason)
    for mark in enrolment.register:
        starts = mark.session_starts_at.astimezone(ctx.settings.timezone)
        came = _("came") if mark.present else _("did not come")
        lines.append(
            "  " + _("Register, {date}: {came}").format(date=f"{format_date(starts.date())}, {starts:%H:%M}", came=came)
        )
    for placement in enrolment.placements:
        kind = _("job") if placement.kind == "job" else _("internship")
        confirmed = _("confirmed by staff") if placement.confirmed_at is not None else _("waiting for staff to confirm")
        lines.append(
            "  "
            + _("Placement: {kind} at {employer}, from {date}, in ICT: {ict} ({confirmed})").format(
                kind=kind,
                employer=placement.employer or "–",
                date=format_date(placement.starts_on) if placement.starts_on else "–",
                ict=_("Yes") if placement.ict else _("No"),
                confirmed=confirmed,
            )
        )
    for rsvp in enrolment.attendance:
        answer = _("I will attend") if rsvp.answer == "yes" else _("I can't attend")
        starts = rsvp.session_starts_at.astimezone(ctx.settings.timezone)
        session = f"{format_date(starts.date())}, {starts:%H:%M}"
        lines.append(f"  {session}{' – ' + rsvp.topic if rsvp.topic else ''}: {answer}")
    return lines


def _survey(ctx: Context, invitation: SurveyFacts) -> list[str]:
    survey = catalogue_for(ctx.settings.survey_dir).get(invitation.survey_id)
    title = survey.title.get() if survey is not None else invitation.survey_id
    status = _(SURVEY_STATUSES[invitation.status]) if invitation.status in SURVEY_STATUSES else invitation.status
    lines = [f"{title} ({_day(ctx, invitation.due_at)}): {status}"]
    answers = dict(invitation.answers)
    order = {q.id: i for i, q in enumerate(survey.questions)} if survey is not None else {}
    for question_id, value in sorted(invitation.answers, key=lambda a: order.get(a[0], len(order))):
        question = survey.question(question_id) if survey is not None else None
        if question is None:
            lines.append(f"  {question_id}: {value}")
        else:
            lines.append(f"  {question.label.get()}: {answering.show(question, value)}")
    if survey is not None and survey.placement and invitation.status == "completed":
        placed = _("Yes") if survey.is_placed(answers) else _("No")
        lines.append("  " + _("Counted as placed in a job or internship: {answer}").format(answer=placed))
    return lines


async def mydata_replies(ctx: Context) -> list[Reply]:
    """Everything stored about the person, group by group, then the file copy."""
    record = await person_record.read(ctx.tx, ctx.user.id)
    assert record is not None  # the engine created the account for this very message
    replies = [Reply(_("This is everything we store about you:")), await _account(ctx, record)]
    if record.applications:
        lines: list[str] = []
        for app in record.applications:
            lines += await _application(ctx, app)
        replies.append(_section(_("Applications"), lines))
    if record.enrolments:
        lines = []
        for enrolment in record.enrolments:
            lines += await _enrolment(ctx, enrolment)
        replies.append(_section(_("Trainings and attendance"), lines))
    reminders = _("on") if record.reminders_on is not False else _("off")
    replies.append(_section(_("Reminders"), [_("Session reminders: {state}").format(state=reminders)]))
    alert_lines = []
    if record.alerts is not None:
        alert_lines.append(_("New-opening alerts: {state}").format(state=_("on") if record.alerts.alerts else _("off")))
        if record.alerts.alerts:
            tracks = track_list(record.alerts.tracks) if record.alerts.tracks else _("every track")
            alert_lines.append(_("Tracks: {tracks}").format(tracks=tracks))
        if record.alerts.stopped:
            alert_lines.append(_("You said STOP: no alerts and no broadcasts."))
    for interest in record.interests:
        alert_lines.append(
            _("Interested in “{title}” ({employer}) since {date}").format(
                title=interest.title, employer=interest.employer, date=_day(ctx, interest.created_at)
            )
        )
    if alert_lines:
        replies.append(_section(_("Job alerts and interests"), alert_lines))
    if record.surveys:
        lines = []
        for invitation in record.surveys:
            lines += _survey(ctx, invitation)
        replies.append(_section(_("Follow-up surveys and placements"), lines))
    source = record.account.source
    if source or any(a.source for a in record.applications):
        shown = source or next(a.source for a in record.applications if a.source)
        replies.append(_section(_("Where you came from"), [_("Came through the link: {source}").format(source=shown)]))
    document = as_json(personal_copy(record, catalogue_for(ctx.settings.survey_dir), ctx.now))
    name = f"my-data-{ctx.now.astimezone(ctx.settings.timezone):%Y-%m-%d}.json"
    caption = _("The same data as a file, to keep or to take elsewhere. To delete your data, send /forget.")
    replies.append(Reply(caption, document=Document(name, document, caption, own_data=True)))
    return replies


FEATURE = Feature(
    "mydata",
    commands=(Command("mydata", lambda: _("What we store about you"), run=mydata_replies),),
)
