"""The conversations. Nothing here knows Telegram, Viber or the console:
a flow takes a :class:`~bot.messages.UserInput` and returns
:class:`~bot.messages.Reply` objects, and reads and writes through ``storage``.
"""
