"""Helpers for the journeys in Chromium: logging in, page weight over the wire, axe-core, phone fit.

Page weight is read from Chromium's own network log (CDP `Network.loadingFinished.encodedDataLength`:
compressed bytes on the wire, headers included), so it is what a phone on 3G would download."""

import datetime as dt
import secrets

from app.demo import DEMO_PASSWORD

FIRST_LOAD_BUDGET = 60 * 1024
PARTIAL_BUDGET = 8 * 1024
AXE_URL = "/static/vendor/axe.min.js"

TOO_SMALL_OR_WIDE = """
() => {
  const small = [...document.querySelectorAll('a, button, input:not([type=hidden]), select')]
    // A checkbox or radio is tapped through its label.
    .map(el => (el.matches('input[type=checkbox], input[type=radio]') && el.closest('label')) || el)
    .filter(el => {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && r.right > 0 && style.visibility !== 'hidden' && style.display !== 'none'
        && !el.closest('p, li, td, th, dd, small') && r.height < 44;
    })
    .map(el => `${el.tagName} "${(el.textContent || el.name || '').trim().slice(0, 40)}" ${Math.round(el.getBoundingClientRect().height)}px`);
  return {width: document.documentElement.scrollWidth, small};
}
"""

UNLABELLED = """
() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id)
"""


def log_in(page, live_server: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{live_server}/")


def log_out(page, live_server: str) -> None:
    page.click("form.logout button")
    page.wait_for_url(f"{live_server}/login")


def random_nik(sex: str = "L", region: str = "120702") -> tuple[str, dt.date]:
    """A valid NIK nobody else in the test session uses, and the birth date it encodes."""
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=secrets.randbelow(365 * 30))
    day = birth.day + (40 if sex == "P" else 0)
    serial = secrets.randbelow(9998) + 1
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}", birth


def fill_member(page, nik: str, birth, name: str, sex: str = "L") -> None:
    """The registration form, filled as a duta would: every field valid but the NIK given."""
    page.fill("#nik", nik)
    page.fill("#full_name", name)
    page.check(f"input[name=sex][value={sex}]")
    page.fill("#birth_date", birth.isoformat())
    page.fill("#phone", "0812" + nik[-8:])
    page.fill("#address", "Jl. Lintas Sumatera 12")
    page.select_option("#occupation", "pedagang")
    page.fill("#monthly_income", "1000000")
    page.fill("#heir_name", "Ahmad")
    page.fill("#heir_relation", "anak")
    page.check("input[name=consent]")


def check_page(page, label: str = "") -> None:
    """The page fits 360 px, every field has a label, axe-core finds nothing serious or critical."""
    where = label or page.url
    fit = page.evaluate(TOO_SMALL_OR_WIDE)
    assert fit["width"] <= 360, f"{where}: scrolls sideways ({fit['width']}px)"
    assert not fit["small"], f"{where}: tap targets under 44px: {fit['small']}"
    unlabelled = page.evaluate(UNLABELLED)
    assert not unlabelled, f"{where}: fields without a label: {unlabelled}"
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL)
    violations = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ['violations']});
          return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`);
        }"""
    )
    assert not violations, f"{where}: accessibility violations:\n" + "\n".join(violations)


class Meter:
    """Bytes over the wire per request, from Chromium's network log, with the HTTP cache off, so every
    page is measured as a first load."""

    def __init__(self, page):
        self.session = page.context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.session.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.requests: dict[str, dict] = {}
        self.session.on("Network.requestWillBeSent", self._sent)
        self.session.on("Network.loadingFinished", self._finished)

    def _sent(self, event):
        headers = {k.lower(): v for k, v in event["request"].get("headers", {}).items()}
        self.requests[event["requestId"]] = {
            "url": event["request"]["url"],
            "htmx": headers.get("hx-request") == "true",
            "bytes": 0,
        }

    def _finished(self, event):
        if event["requestId"] in self.requests:
            self.requests[event["requestId"]]["bytes"] = event["encodedDataLength"]

    def reset(self) -> None:
        self.requests.clear()

    def total(self) -> int:
        return sum(r["bytes"] for r in self.requests.values() if not r["url"].endswith("axe.min.js"))

    def partials(self) -> list[dict]:
        return [r for r in self.requests.values() if r["htmx"]]

    def load(self, page, path: str) -> int:
        """Open a page as a first load and return its weight (HTML, scripts, styles, modules)."""
        self.reset()
        page.goto(path, wait_until="networkidle")
        total = self.total()
        assert total <= FIRST_LOAD_BUDGET, f"{path}: first load {total} bytes > {FIRST_LOAD_BUDGET}: " + ", ".join(
            f"{r['url'].split('/', 3)[-1]}={r['bytes']}" for r in self.requests.values()
        )
        return total

    def assert_partials_light(self) -> None:
        heavy = [f"{r['url']}={r['bytes']}" for r in self.partials() if r["bytes"] > PARTIAL_BUDGET]
        assert not heavy, f"HTMX partials over {PARTIAL_BUDGET} bytes: {heavy}"
