"""`report` written to the bot on Teams: the programme report as the summary card, then its
trend chart as an inline image (a PNG in a `data:` URI, which Teams shows in the chat), so the
summary's "the chart shows them all" is true on Teams too. The PNG is redrawn in 64 colours,
which a chart's flat colours survive, to a third of its size: a Teams message holds about
28 KB, and a chart that would still not fit is said instead.

Anyone but a coordinator gets the refusal and nothing is computed; a chart that cannot be drawn
is said in its place (the summary has gone already).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
from dataclasses import dataclass

from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.teams.cards import card_activity, message_card
from handlers.core.i18n import t
from handlers.core.people import Person
from handlers.reports.desk import ChatReport, ReportDesk, report_chart_failed, report_refusal
from handlers.reports.figures import Report
from handlers.roster.access import NotAllowed

log = logging.getLogger(__name__)
PNG = "image/png"
MAX_MESSAGE_BYTES = 28_000  # what Teams takes in one message (MessageSizeTooBig beyond)
CHART_COLOURS = 64


def compact(png: bytes) -> bytes:
    """`png` in a palette of `CHART_COLOURS` (Pillow, which matplotlib brings)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        out = io.BytesIO()
        image.convert("RGB").quantize(colors=CHART_COLOURS).save(out, "PNG", optimize=True)
    return out.getvalue()


def draw_chart(report: Report, locale: str) -> bytes:
    """The trend chart's PNG (blocking: call it in a thread); matplotlib loads on first use."""
    from bot.report_chart import trend_chart_png

    return compact(trend_chart_png(report, locale))


def chart_activity(chat: ChatReport, locale: str, png: bytes) -> Activity:
    """The chart as a message of its own: its title as text, the PNG inline."""
    period = {"start": chat.start.isoformat(), "end": chat.end.isoformat()}
    image = Attachment(
        content_type=PNG,
        content_url=f"data:{PNG};base64,{base64.b64encode(png).decode()}",
        name=f"programme-report-{chat.start}-{chat.end}.png",
    )
    return Activity(
        type=ActivityTypes.message,
        text=t(locale, "report.chart.file_title", **period),
        attachments=[image],
    )


@dataclass
class TeamsReports:
    desk: ReportDesk

    async def activities(self, person: Person, locale: str) -> list[Activity]:
        """What answers "report": the refusal, or the summary and then the chart (or, if it
        could not be drawn, a line saying so)."""
        try:
            chat = await self.desk.weekly(person, locale)
        except NotAllowed:
            return [card_activity(message_card(report_refusal(locale)))]
        summary = card_activity(message_card(chat.summary))
        try:
            png = await asyncio.to_thread(draw_chart, chat.report, locale)
        except Exception as exc:
            # the type only: a message could quote a figure
            log.error("teams: a coordinator's report chart failed (%s)", type(exc).__name__)
            return [summary, card_activity(message_card(report_chart_failed(locale)))]
        chart = chart_activity(chat, locale, png)
        if len(json.dumps(chart.serialize())) > MAX_MESSAGE_BYTES:
            log.error("teams: a coordinator's report chart is too big for a message")
            return [summary, card_activity(message_card(report_chart_failed(locale)))]
        return [summary, chart]
