"""youthbot: the chatbot of an ICT youth training programme in Kosovo.

The packages form one stack; each imports only from those below it:

    cli → handlers → runtime → outbox → flows → services → reports
        → surveys / reference → config / parsing → i18n / storage / clock

``storage`` never imports ``bot``; handlers talk to the engine (``bot.flows.engine``),
never to storage; flows read through storage and write through ``bot.services``.
"""

import os

# python-telegram-bot 22 gives durations such as RetryAfter.retry_after as timedelta when
# this is set (its documented opt-in); without it every 429 raises a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "true")
