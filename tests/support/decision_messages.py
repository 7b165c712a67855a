"""What each decision's message says in each language: a fragment that only the right language has."""

from __future__ import annotations

from bot.services.decisions import Decision

EXPECTED = {
    "en": {
        Decision.SHORTLISTED: "has been shortlisted",
        Decision.WAITLISTED: "is on the waiting list",
        Decision.REJECTED: "you were not selected this time",
        Decision.ACCEPTED: "Your first session: Monday, 15 March 2027, 17:30",
    },
    "sq": {
        Decision.SHORTLISTED: "u fut në listën e ngushtë",
        Decision.WAITLISTED: "është në listën e pritjes",
        Decision.REJECTED: "këtë herë nuk u përzgjodhe",
        Decision.ACCEPTED: "Seanca jote e parë e trajnimit",
    },
    "sr": {
        Decision.SHORTLISTED: "ушла је у ужи избор",
        Decision.WAITLISTED: "је на листи чекања",
        Decision.REJECTED: "овог пута ниси изабран/а",
        Decision.ACCEPTED: "Твој први термин обуке",
    },
}
