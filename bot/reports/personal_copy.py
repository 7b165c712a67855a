"""The portable copy of a person's data (the right to data portability): one JSON document.

Keys are stable and in English; values are as stored (codes, ISO dates and UTC times), so
another service can read the file. ``format`` names the layout; a change of layout that
is not only an added key gets a new number.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from bot.surveys.definition import Catalogue
from storage.person_record import PersonRecord

FORMAT = "youthbot-personal-data/1"


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def personal_copy(record: PersonRecord, catalogue: Catalogue, made_at: datetime) -> dict[str, Any]:
    """The document as a JSON-ready dict."""
    account = record.account
    return {
        "format": FORMAT,
        "made_at": made_at.isoformat(),
        "account": {
            "channel": account.channel,
            "platform_id": account.platform_id,
            "display_name": account.display_name,
            "language": account.language,
            "reachable": account.reachable,
            "created_at": _when(account.created_at),
        },
        "came_from": {"source": account.source},
        "applications": [
            {
                "reference": a.reference,
                "programme": a.programme_code,
                "status": a.status,
                "submitted_at": _when(a.created_at),
                "full_name": a.full_name,
                "birth_date": a.birth_date,
                "gender": a.gender,
                "municipality": a.municipality,
                "phone": a.phone,
                "email": a.email,
                "education": a.education,
                "employment": a.employment,
                "motivation": a.motivation,
                "heard_from": a.heard_from,
                "source": a.source,
                "language": a.language,
                "consent_at": _when(a.consent_at),
                "guardian": None
                if a.guardian_name is None
                else {
                    "name": a.guardian_name,
                    "phone": a.guardian_phone,
                    "confirmed_at": _when(a.guardian_confirmed_at),
                },
                "status_history": [
                    {
                        "from": h.from_status,
                        "to": h.to_status,
                        "by_applicant": h.by_applicant,
                        "message": h.personal_note,
                        "at": _when(h.at),
                    }
                    for h in a.history
                ],
            }
            for a in record.applications
        ],
        "enrolments": [
            {
                "programme": e.programme_code,
                "cohort": e.cohort_code,
                "cohort_name": e.cohort_name,
                "status": e.status,
                "enrolled_at": _when(e.enrolled_at),
                "completed_at": _when(e.completed_at),
                "graduates_on": _when(e.graduates_on),
                "attendance": [
                    {
                        "session_starts_at": _when(a.session_starts_at),
                        "topic": a.topic,
                        "answer": a.answer,
                        "answered_at": _when(a.answered_at),
                    }
                    for a in e.attendance
                ],
                "dropped_on": _when(e.dropped_on),
                "dropout_reason": e.dropout_reason,
                "register": [
                    {"session_starts_at": _when(r.session_starts_at), "present": r.present} for r in e.register
                ],
                "placements": [
                    {
                        "kind": p.kind,
                        "employer": p.employer,
                        "starts_on": _when(p.starts_on),
                        "ict": p.ict,
                        "source": p.source,
                        "confirmed_at": _when(p.confirmed_at),
                    }
                    for p in e.placements
                ],
            }
            for e in record.enrolments
        ],
        "reminders": {"on": record.reminders_on if record.reminders_on is not None else True},
        "job_alerts": None
        if record.alerts is None
        else {
            "alerts": record.alerts.alerts,
            "stopped": record.alerts.stopped,
            "tracks": list(record.alerts.tracks),
            "updated_at": _when(record.alerts.updated_at),
        },
        "interests": [
            {"opening_id": i.opening_id, "title": i.title, "employer": i.employer, "at": _when(i.created_at)}
            for i in record.interests
        ],
        "surveys": [
            {
                "survey": s.survey_id,
                "wave": s.wave,
                "status": s.status,
                "due_at": _when(s.due_at),
                "completed_at": _when(s.completed_at),
                "language": s.language,
                "answers": dict(s.answers),
                "placed": _placed(s.survey_id, s.status, dict(s.answers), catalogue),
            }
            for s in record.surveys
        ],
        "linked_accounts": [{"channel": link.channel, "linked_at": _when(link.linked_at)} for link in record.links],
        "form_in_progress": None
        if record.form is None
        else {"form": record.form.flow, "started_at": _when(record.form.started_at), "answers": record.form.answers},
    }


def _placed(survey_id: str, status: str, answers: dict[str, Any], catalogue: Catalogue) -> bool | None:
    """Whether a completed response counts as placed in a job or internship; None otherwise."""
    survey = catalogue.get(survey_id)
    if survey is None or status != "completed" or not survey.placement:
        return None
    return survey.is_placed(answers)


def as_json(document: dict[str, Any]) -> bytes:
    """UTF-8 JSON, indented, letters as they are (ë, ш)."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
