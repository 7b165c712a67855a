"""The conversations. Nothing here knows Telegram, Viber or the console:
a flow takes a :class:`~bot.messages.UserInput` and returns
:class:`~bot.messages.Reply` objects.

The rule for data: a flow *reads* through ``storage`` but *writes* only by
calling a function of ``bot/services`` and passing it the step's transaction
(``ctx.tx``), as ``bot/services/enrolment.py`` does. The write then commits or
rolls back with the conversation state the engine saves in that same
transaction, and the CLI and the staff console reuse the very same function.
The engine (``engine.py``) is the runtime, not a flow: it owns that
transaction, the conversation state and update claims. ``tests/test_architecture.py``
enforces the rule.
"""
