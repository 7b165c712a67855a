"""The conversations. Nothing here knows Telegram, Viber or the console:
a flow takes a :class:`~bot.flows.core.UserInput` and returns
:class:`~bot.flows.core.Reply` objects, and reads and writes through ``storage``.
"""
