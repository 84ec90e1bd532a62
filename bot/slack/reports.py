"""`/support report` (or "report" written to the bot) on Slack: the programme report in the
coordinator's DM, a summary message and the trend chart as a PNG.

The asker hears back at once: a refusal for anyone but a coordinator (and nothing is computed), or
"preparing". The figures come from the core (`ReportDesk`, audited there); the chart is drawn in a
worker thread, since matplotlib is CPU-bound and the loop serves everyone else meanwhile; the PNG
goes up with `files_upload_v2` (files.getUploadURLExternal, the bytes, files.completeUploadExternal
into the DM channel).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.replying import Reply, post_direct
from handlers.core.i18n import t
from handlers.core.people import Person
from handlers.reports.desk import (
    ChatReport,
    ReportDesk,
    report_chart_failed,
    report_failed,
    report_preparing,
    report_refusal,
)
from handlers.reports.figures import Report
from handlers.roster.access import NotAllowed

log = logging.getLogger(__name__)


def draw_chart(report: Report, locale: str) -> bytes:
    """The trend chart's PNG (blocking: call it in a thread). Matplotlib is imported on the
    first report, not when the bot starts."""
    from bot.report_chart import trend_chart_png

    return trend_chart_png(report, locale)


@dataclass
class SlackReports:
    desk: ReportDesk

    async def deliver(
        self, client: AsyncWebClient, person: Person, locale: str, reply: Reply
    ) -> None:
        """Refuse, or say "preparing" and then send the summary and the chart to `person`'s DM;
        what fails on the way is said, in the same place as "preparing"."""
        try:
            await self.desk.check(person)
        except NotAllowed:
            await reply(report_refusal(locale))
            return
        await reply(report_preparing(locale))
        try:
            chat = await self.desk.weekly(person, locale)
            channel = await post_direct(client, person.user_id, chat.summary)
        except NotAllowed:  # no longer a coordinator since the check
            await reply(report_refusal(locale))
            return
        except Exception as exc:
            _log_failure("report", exc)
            await reply(report_failed(locale))
            return
        try:
            png = await asyncio.to_thread(draw_chart, chat.report, locale)
            await self._upload_chart(client, channel, locale, chat, png)
        except Exception as exc:
            _log_failure("report chart", exc)
            await reply(report_chart_failed(locale))

    async def _upload_chart(
        self, client: AsyncWebClient, channel: str, locale: str, chat: ChatReport, png: bytes
    ) -> None:
        period = {"start": chat.start.isoformat(), "end": chat.end.isoformat()}
        await client.files_upload_v2(
            channel=channel,
            content=png,
            filename=f"programme-report-{chat.start}-{chat.end}.png",
            title=t(locale, "report.chart.file_title", **period),
            alt_txt=t(locale, "report.chart.alt", **period),
        )


def _log_failure(what: str, exc: Exception) -> None:
    # The type only: a message could quote a name or a figure.
    log.error("slack: a coordinator's %s failed (%s)", what, type(exc).__name__)
    log.debug("slack: a coordinator's %s failed", what, exc_info=True)
