"""The sandbox page in a real browser (Debian's Chromium, driven by Playwright): the main path
from `/support` to an answered check-in and pulse, as a person would click through it.

Without Chromium or Playwright the test is skipped with the reason, except under CI (`CI` set),
where that is a failure. `UPDATE_SCREENSHOT=1` also saves the page to docs/sandbox.png (the
README's screenshot; `make screenshot`).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import demo
from bot.sandbox.server import Sandbox
from handlers.core.i18n import t

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "sandbox.png"
WAIT_MS = 20_000
RITA = "U0RITA"
PEERS = {person.user_id for person in demo.PEOPLE if person.tier is not None and person.unit}


def _need_browser() -> None:
    missing = None
    if importlib.util.find_spec("playwright") is None:
        missing = "Playwright is not installed (pip install -e '.[dev]')"
    elif not Path(CHROMIUM).exists():
        missing = f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{missing}: the browser test must run under CI", pytrace=False)
    pytest.skip(missing)


@pytest.fixture
async def page(sandbox: Sandbox) -> AsyncIterator[Any]:
    _need_browser()
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=WAIT_MS)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 860})
            page.set_default_timeout(WAIT_MS)
            await page.goto(sandbox.page_url)
            yield page
        finally:
            await browser.close()


async def be(page: Any, user_id: str) -> None:
    from playwright.async_api import expect

    await page.click(f'[data-person="{user_id}"]')
    await expect(page.locator(f'[data-person="{user_id}"]')).to_have_attribute(
        "aria-current", "true"
    )


async def send(page: Any, text: str) -> None:
    await page.fill("#composer-input", text)
    await page.press("#composer-input", "Enter")


def message(page: Any, text: str) -> Any:
    """The last message in the open DM that contains `text`."""
    return page.locator("#messages .message").filter(has_text=text).last


async def pinned(page: Any, found: Any) -> Any:
    """The same message after the bot updates it in place (its text changes, its ts does not)."""
    from playwright.async_api import expect

    await expect(found).to_be_visible()
    return page.locator(f'#messages .message[data-ts="{await found.get_attribute("data-ts")}"]')


async def test_main_path_in_a_browser(sandbox: Sandbox, page: Any, tmp_path: Path) -> None:
    from playwright.async_api import expect

    en = "en"
    sandbox_mark = page.locator(".sandbox-mark")
    await expect(sandbox_mark).to_have_text("SANDBOX")

    await be(page, RITA)
    # The weekly pulse: the clock moves to this week's round, which everyone answers.
    await page.get_by_role("button", name="Start the weekly pulse").click()
    pulse = await pinned(page, message(page, t(en, "pulse.title")))
    await pulse.get_by_role("button", name="5", exact=True).click()
    await expect(pulse).to_contain_text(t(en, "pulse.thanks"))

    # Rita asks for support; the form checks required fields first, as Slack's client does.
    await send(page, "/support")
    modal = page.locator(".modal")
    await expect(modal).to_contain_text(t(en, "form.title"))
    await modal.locator("button[type=submit]").click()
    await expect(modal.locator('.b-input[data-block-id="urgency"] .input-error')).not_to_be_empty()
    await modal.locator("select[name=urgency]").select_option("now")
    await modal.locator("select[name=category]").select_option("adverse_event")
    await modal.locator("select[name=contact]").select_option("chat")
    await modal.locator('input[name=options][value="anonymous"]').check()
    await modal.locator("textarea[name=note]").fill("A long night in resus")
    await modal.locator("button[type=submit]").click()
    await expect(modal).to_contain_text(t(en, "ack.title"))
    await expect(modal).to_contain_text("Samaritans")  # the demo's crisis lines
    await modal.locator("footer button").first.click()
    await expect(modal).to_have_count(0)
    await expect(message(page, t(en, "ack.title"))).to_be_visible()

    # Two of the three peers are on call: both get the offer, which never names Rita.
    on_call = page.locator(".person").filter(
        has=page.locator(".on-call", has_text=re.compile("^peer$"))
    )
    await expect(on_call).to_have_count(2)
    first, second = [await item.get_attribute("data-person") for item in await on_call.all()]
    assert {first, second} <= PEERS
    await be(page, first)
    offer = await pinned(page, message(page, t(en, "offer.title")))
    assert "Rita" not in await offer.inner_text()
    await offer.get_by_role("button", name=t(en, "button.accept")).click()
    await expect(offer.get_by_role("button", name=t(en, "button.close"))).to_be_visible()

    await be(page, second)
    taken = message(page, t(en, "offer.title"))
    await expect(taken).to_contain_text(t(en, "offer.taken"))
    await expect(taken.get_by_role("button", name=t(en, "button.accept"))).to_have_count(0)

    # Anonymous relay, both ways.
    await be(page, RITA)
    await expect(message(page, t(en, "connected.title"))).to_be_visible()
    await send(page, "Thank you for picking this up")
    await expect(message(page, "Passed on")).to_be_visible()
    await be(page, first)
    relayed = message(page, "Thank you for picking this up")
    await expect(relayed).to_contain_text("Message from the person you are supporting")
    await send(page, "I am here. Shall I call you at 6?")
    await be(page, RITA)
    await expect(message(page, "Message from your peer supporter")).to_contain_text(
        "Shall I call you at 6?"
    )
    await page.screenshot(path=str(tmp_path / "sandbox.png"))
    if os.environ.get("UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(tmp_path / "sandbox.png", SCREENSHOT)

    # Rita closes the case; two days later the bot checks in, and she answers.
    connected = await pinned(page, message(page, t(en, "connected.title")))
    await connected.get_by_role("button", name=t(en, "button.close")).click()
    # Her answer, then the line that replaces every Close button of the case: "closed" either way.
    await expect(connected).to_contain_text("closed")
    await expect(connected.get_by_role("button", name=t(en, "button.close"))).to_have_count(0)
    for _ in range(2):
        await page.get_by_role("button", name="+1 day").click()
        await expect(page.get_by_role("button", name="+1 day")).to_be_enabled()
    check_in = await pinned(page, message(page, t(en, "checkin.title")))
    await check_in.get_by_role("button", name="4", exact=True).click()
    await expect(check_in).to_contain_text(t(en, "checkin.thanks"))

    # The App Home, after app_home_opened.
    await page.click("#tab-home")
    await expect(page.locator("#home")).to_contain_text(t(en, "start.prompt"))


async def test_risk_typed_as_rita_gets_the_crisis_lines_and_pat_is_alerted(
    sandbox: Sandbox, page: Any, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    en = "en"
    await be(page, RITA)
    await send(page, "I am thinking of harming myself")
    answer = message(page, t(en, "crisis.heading"))
    await expect(answer).to_be_visible()  # at once, as the answer to what she wrote
    await expect(answer).to_contain_text("Samaritans")  # the demo organisation's own lines
    first_block = answer.locator(".b-section").first
    await expect(first_block).to_contain_text(t(en, "crisis.heading"))  # before anything else
    await page.screenshot(path=str(tmp_path / "risk.png"))

    await be(page, "U0PAT")  # the professional tier is asked at once
    offer = message(page, t(en, "offer.title"))
    await expect(offer).to_contain_text("Crisis request")
    assert "Rita" not in await offer.inner_text()


async def test_the_language_switch_turns_the_page_and_the_bot_spanish(
    sandbox: Sandbox, page: Any
) -> None:
    from playwright.async_api import expect

    await be(page, RITA)
    await page.select_option("#person-language", "es")
    await expect(page.get_by_role("button", name="Enviar")).to_be_visible()
    await expect(page.get_by_role("tab", name="Inicio")).to_be_visible()
    await expect(page.get_by_role("button", name="Reiniciar la demo")).to_be_visible()
    await send(page, "/support")
    await expect(page.locator(".modal")).to_contain_text(t("es", "form.title"))
    await page.locator(".modal footer button").first.click()
    await be(page, "U0CY")  # someone else: the page speaks their language, English
    await expect(page.get_by_role("button", name="Send")).to_be_visible()
