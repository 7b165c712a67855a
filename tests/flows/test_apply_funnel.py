"""The application funnel through the real form: people who give up at different steps, one who
declines consent, one who submits; counted per start, with no personal data stored."""

from __future__ import annotations

from datetime import date, timedelta

from bot.i18n import use_language
from bot.reports.indicators import Period, build_report
from bot.reports.indicators_text import funnel_rows, report_text
from bot.runtime import Runtime
from bot.surveys.loader import catalogue_for
from storage import funnel
from tests.support.chat import Chat
from tests.support.forms import ANSWERS_EN, answer_until_consent, choose_language, submit_application


async def person(runtime: Runtime, user_id: str) -> Chat:
    chat = Chat(runtime, user_id)
    await choose_language(chat)
    return chat


async def abandon_after(chat: Chat, answered: int) -> None:
    """Start /apply and answer the first ``answered`` questions, then say nothing more."""
    await chat.send("/apply")
    steps = [
        lambda: chat.press("pro2y-software"),
        lambda: chat.send(ANSWERS_EN["full_name"]),
        lambda: chat.send(ANSWERS_EN["birth_date"]),
        lambda: chat.press(ANSWERS_EN["gender"]),
        lambda: chat.send(ANSWERS_EN["municipality"]),
    ]
    for step in steps[:answered]:
        await step()


async def test_each_step_counts_the_starts_that_reached_it(runtime: Runtime) -> None:
    await abandon_after(await person(runtime, "1"), 0)  # gave up at the programme
    await abandon_after(await person(runtime, "2"), 1)  # at the name
    gives_up_at_phone = await person(runtime, "3")
    await abandon_after(gives_up_at_phone, 5)
    await gives_up_at_phone.send("not a phone")  # a wrong answer re-asks, and counts once
    await gives_up_at_phone.send("/apply")  # /apply again in the middle continues the same start
    declines = await person(runtime, "4")
    await answer_until_consent(declines)
    await declines.press("no")
    submits = await person(runtime, "5")
    await submit_application(submits)
    cancels = await person(runtime, "6")
    await abandon_after(cancels, 2)
    await cancels.send("/cancel")
    await abandon_after(cancels, 1)  # a new start after /cancel is a second start

    async with runtime.db.reading() as conn:
        report = await build_report(conn, catalogue_for(runtime.settings.survey_dir), runtime.clock.now())
    with use_language("en"):
        rows = dict(funnel_rows(report))
    assert rows["Started"] == 7
    assert rows["Programme"] == 7
    assert rows["Full name"] == 6  # all but person 1
    assert rows["Date of birth"] == 4  # 3, 4, 5 and 6's first start
    assert rows["Gender"] == 3
    assert rows["Municipality"] == 3
    assert rows["Phone number"] == 3
    assert rows["E-mail"] == 2
    assert rows["How you heard of us"] == 2
    assert rows["Consent"] == 2
    assert rows["Summary"] == 1
    assert rows["Submitted"] == 1
    with use_language("en"):
        text = report_text(report, catalogue_for(runtime.settings.survey_dir), runtime.settings.timezone)
    assert "Application funnel (each start of /apply):" in text
    assert "• Phone number: 3" in text.splitlines()


async def test_the_funnel_keeps_no_personal_data_and_follows_the_period(runtime: Runtime) -> None:
    chat = await person(runtime, "774411")
    await submit_application(chat)
    async with runtime.db.reading() as conn:
        async with conn.execute("SELECT * FROM apply_funnel") as cur:
            (row,) = await cur.fetchall()
        async with conn.execute("SELECT step FROM apply_funnel_steps") as cur:
            steps = {r["step"] for r in await cur.fetchall()}
    stored = " ".join(str(v) for v in tuple(row)) + " ".join(steps)
    for personal in (*ANSWERS_EN.values(), "774411", "+38344123456"):
        assert personal not in stored
    assert set(row.keys()) == {"id", "token", "started_on", "submitted"}
    assert row["started_on"] == "2026-11-27" and row["submitted"] == 1
    today = date(2026, 11, 27)
    async with runtime.db.reading() as conn:
        assert (await funnel.counts(conn, today, today)).started == 1
        assert (await funnel.counts(conn, today + timedelta(days=1), None)).started == 0
        assert (await funnel.counts(conn, None, today - timedelta(days=1))).started == 0
        report = await build_report(
            conn,
            catalogue_for(runtime.settings.survey_dir),
            runtime.clock.now(),
            Period(today + timedelta(days=1), None),
        )
    assert report.funnel.started == 0 and report.total.applicants == 0
