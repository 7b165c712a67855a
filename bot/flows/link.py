"""/link: one person, two channels.

A person's records belong to one channel account (users are keyed by channel
and platform id). To move to another app, they send /link in the account that
holds their records and get a short code; typing "/link CODE" in the other app
moves the applications, enrolments, reminders and surveys there, and the
programme writes to them there from then on. The old account is told.

Safeguards against taking over someone else's record: the code is shown only
in the old account's private chat, belongs to that account alone, works once,
for 10 minutes, only from an account on another channel; at most 5 wrong tries
per account per hour; two accounts that both hold applications are put
together only after the person confirms, and never when both applied to the
same programme.
"""

from __future__ import annotations

from datetime import timedelta

from bot.flows.registry import FINISHED, Command, Context, Delivery, Feature, Flow, MessageKind, Step
from bot.flows.steps import StepTable
from bot.i18n import N_, _, ngettext
from bot.messages import InputKind, Option, Reply, UserInput
from bot.services import links as link_service
from storage import applications, links, users
from storage.conversations import ConversationState
from storage.links import LinkCode
from storage.users import User

CODE_LIFETIME = timedelta(minutes=10)
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(hours=1)
CHANNEL_NAMES = {"telegram": N_("Telegram"), "viber": N_("Viber"), "console": N_("console")}
NOTICE_KIND = "account_linked"


def channel_name(channel: str) -> str:
    """The app's name as the reader's language writes it (Телеграм in Cyrillic)."""
    return _(CHANNEL_NAMES[channel]) if channel in CHANNEL_NAMES else channel


class LinkFlow(Flow):
    name = "link"

    def __init__(self) -> None:
        self.steps = (Step("confirm", self._ask_confirm, self._answer_confirm, (FINISHED,)),)
        self._table = StepTable(self.steps)

    async def start(self, ctx: Context, state: ConversationState) -> list[Reply]:
        if not ctx.args.strip():
            state.step = FINISHED
            return await self._issue(ctx)
        return await self._redeem(ctx, state, ctx.args)

    async def prompt(self, ctx: Context, state: ConversationState) -> list[Reply]:
        return await self._table.prompt(ctx, state)

    async def handle(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        return await self._table.handle(ctx, state, inp)

    async def _ask_confirm(self, ctx: Context, state: ConversationState) -> list[Reply]:
        source = await users.get(ctx.tx, int(state.data["source"]))
        theirs = [a.reference for a in await applications.for_user(ctx.tx, source.id)] if source else []
        ours = [a.reference for a in await applications.for_user(ctx.tx, ctx.user.id)]
        text = _(
            "Both accounts have applications:\n{channel} account: {theirs}\nThis account: {ours}\nDo you want to put them all together in this account? The {channel} account then keeps none."
        ).format(
            channel=channel_name(source.channel if source else ""),
            theirs=", ".join(theirs) or "–",
            ours=", ".join(ours),
        )
        return [Reply(text, [Option("merge", _("Yes, move them here")), Option("keep", _("No, change nothing"))])]

    async def _answer_confirm(self, ctx: Context, state: ConversationState, inp: UserInput) -> list[Reply]:
        if inp.kind == InputKind.OPTION and inp.text == "keep":
            state.step = FINISHED
            return [Reply(_("Nothing was changed."))]
        if inp.kind == InputKind.OPTION and inp.text == "merge":
            state.step = FINISHED
            problem, record, source = await self._check(ctx, str(state.data["code"]))
            if problem is not None or record is None or source is None or source.id != state.data["source"]:
                return [
                    Reply(
                        problem
                        or _(
                            "That code is not valid. Please check it, or send /link in your other app to get a new one."
                        )
                    )
                ]
            return await self._move(ctx, record, source)
        return [Reply(_("Please answer with the buttons below.")), *await self.prompt(ctx, state)]

    async def _issue(self, ctx: Context) -> list[Reply]:
        code = await link_service.issue(ctx.tx, ctx.user.id, ctx.now, ctx.now + CODE_LIFETIME)
        minutes = int(CODE_LIFETIME.total_seconds() // 60)
        return [
            Reply(
                _(
                    "Your link code is {code}. It works once, for the next {minutes} minutes.\n\nOpen this bot in your other app (Telegram or Viber) and send there:\n/link {code}\n\nEverything in this account (applications, trainings, reminders, surveys) then moves there, and the programme writes to you there from then on. Never give this code to anyone else."
                ).format(code=code, minutes=minutes)
            )
        ]

    async def _redeem(self, ctx: Context, state: ConversationState, typed: str) -> list[Reply]:
        state.step = FINISHED
        if await links.failures_since(ctx.tx, ctx.user.id, ctx.now - FAILURE_WINDOW) >= MAX_FAILURES:
            return [Reply(_("Too many wrong codes. Please try again in an hour."))]
        problem, record, source = await self._check(ctx, typed)
        if problem is not None or record is None or source is None:
            await link_service.record_failure(ctx.tx, ctx.user.id, ctx.now, ctx.now - FAILURE_WINDOW)
            return [
                Reply(
                    problem
                    or _("That code is not valid. Please check it, or send /link in your other app to get a new one.")
                )
            ]
        if (
            await applications.for_user(ctx.tx, source.id)
            and await applications.for_user(ctx.tx, ctx.user.id)
            and not await links.shared_programmes(ctx.tx, source.id, ctx.user.id)
        ):
            state.step = "confirm"
            state.data.update(code=record.code, source=source.id)
            return await self.prompt(ctx, state)
        return await self._move(ctx, record, source)

    async def _check(self, ctx: Context, typed: str) -> tuple[str | None, LinkCode | None, User | None]:
        """Why the code cannot be used here (None when it can), with the code and its account."""
        invalid = _("That code is not valid. Please check it, or send /link in your other app to get a new one.")
        code = links.normalise_code(typed)
        record = await links.find(ctx.tx, code) if code else None
        source = await users.get(ctx.tx, record.user_id) if record else None
        if record is None or source is None:
            return invalid, None, None
        if record.used_at is not None:
            return _("That code has already been used. Send /link in your other app to get a new one."), None, None
        if record.expires_at <= ctx.now:
            return _("That code has expired. Send /link in your other app to get a new one."), None, None
        if source.id == ctx.user.id:
            return (
                _("This code was made in this chat. Type it in your other app (Telegram or Viber), not here."),
                None,
                None,
            )
        if source.channel == ctx.user.channel:
            return (
                _(
                    "That code belongs to another {channel} account. A code moves your own records from one app to the other: get it with /link in the app you used before."
                ).format(channel=channel_name(source.channel)),
                None,
                None,
            )
        return None, record, source

    async def _move(self, ctx: Context, record: LinkCode, source: User) -> list[Reply]:
        target = ctx.user
        try:
            result = await link_service.move_records(ctx.tx, source, target)
        except links.MoveConflict as conflict:
            if conflict.programmes:
                text = _(
                    "Both accounts have an application for the same training, so they cannot be put together automatically. Please contact the programme's staff; nothing was changed."
                )
            else:
                text = _(
                    "Your two accounts hold records that cannot be put together automatically. Please contact the programme's staff; nothing was changed."
                )
            return [Reply(text)]
        await link_service.finish_move(ctx.tx, record, source, target, NOTICE_KIND, ctx.now)
        moved = result.moved.get("applications", 0)
        done = ngettext(
            "Done: {n} application moved here from your {channel} account.",
            "Done: {n} applications moved here from your {channel} account.",
            moved,
        ).format(n=moved, channel=channel_name(source.channel))
        return [Reply(done + "\n" + _("From now on, reminders, news and surveys come to you here."))]


async def render_notice(delivery: Delivery) -> Reply | None:
    """Told to the old account after its records moved, in its language at sending time."""
    channel = channel_name(str(delivery.item.payload.get("channel", "")))
    return Reply(
        _(
            "As asked with a link code, your applications and trainings were moved to your {channel} account, and the programme writes to you there from now on. If this was not you, please contact the programme's staff at once."
        ).format(channel=channel)
    )


FEATURE = Feature(
    "link",
    commands=(
        Command("link", lambda: _("Move your applications between Telegram and Viber"), flow="link", interrupts=True),
    ),
    flows=(LinkFlow(),),
    message_kinds=(MessageKind(NOTICE_KIND, render_notice),),
)
