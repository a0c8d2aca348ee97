"""The ``page`` fixture itself: requests that would leave the machine are blocked and recorded, and
console errors are collected, so that the other browser tests can rely on both."""
from __future__ import annotations


def test_a_request_to_another_host_is_blocked_and_recorded(page, live_server):
    assert page.goto(live_server + "/healthz").status == 200
    outcome = page.evaluate("""() => fetch('https://cdn.example.org/leaflet.js')
        .then(() => 'loaded', () => 'blocked')""")
    assert outcome == "blocked"
    assert page.outside_requests == ["https://cdn.example.org/leaflet.js"]
    assert any("ERR_BLOCKED_BY_CLIENT" in e and "cdn.example.org" in e for e in page.console_errors)
    page.outside_requests.clear()  # recorded as expected; the fixture would otherwise fail the test


def test_console_errors_and_uncaught_exceptions_are_collected(page, live_server):
    page.goto(live_server + "/healthz")
    page.evaluate("console.error('something broke')")
    page.evaluate("setTimeout(() => { throw new Error('uncaught here'); }, 0)")
    page.wait_for_function("() => true")
    page.wait_for_timeout(100)
    assert any("something broke" in e for e in page.console_errors)
    assert any("uncaught here" in e for e in page.console_errors)
