"""The bot's exceptions, one tree: whatever derives from :class:`YouthbotError`
is a mistake a person can fix (a setting, a file, a command line), and the CLI
turns it into one line on stderr and exit status 2 instead of a traceback.

    YouthbotError
    ├── ConfigError (bot.config, also a ValueError)        a setting is missing or wrong
    │   ├── StartupError (bot.handlers.webserver)            the server cannot start with these settings
    │   ├── SurveyError (bot.surveys.loader)                 a survey file is malformed
    │   └── CommandError (bot.cli.surveys)                   a survey command names nothing usable
    ├── CatalogError (bot.i18n, also a RuntimeError)        the translation catalogs are missing or broken
    ├── RegistryError (bot.flows.registry, also a ValueError) the features' tables contradict each other
    └── AdminError (bot.cli.training, also a ValueError)     a staff command's argument is wrong

    StorageError (storage.db, a RuntimeError)   the database is missing or too new. Storage never
                                                imports ``bot``, so it stands beside the tree; the
                                                CLI catches it together with YouthbotError.

    DeliveryError (bot.outbox.worker)           how one outbox send failed; the worker handles
    ├── RetryLater                               these itself and they never reach a person
    ├── TransientError
    ├── DeliveryUncertain
    └── Unreachable

    ViberError (bot.handlers.viber.api)         a call to Viber's REST API failed (refused, or no
    ├── ViberApiError                            usable answer); that module draws the detail
    └── ViberUnavailable

    TooDeep (bot.handlers.jsonbody, a ValueError)  a webhook body nests too deeply: answered 400

Errors a service reports back to its caller (``SessionClash``, ``ScheduleError``,
``ImportRejected``, ``GraduationError``, ``SegmentError``, ``DecisionError``,
``NoteError``, ``StaffError``, ``LocalTimeError``, ``MoveConflict``) are answers,
not failures: the caller (chat, CLI or console) words them for the person.
"""

from __future__ import annotations


class YouthbotError(Exception):
    """A mistake a person can fix; its message is the one line they are shown."""
