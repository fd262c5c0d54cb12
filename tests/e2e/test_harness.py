"""The harness itself: the axe check must fail on a page that breaks WCAG,
or a green run would prove nothing."""

import pytest


def test_axe_check_fails_on_an_inaccessible_page(page, check_a11y):
    """An unlabelled field and an image without alt text fail with both named."""
    page.set_content(
        '<!DOCTYPE html><html lang="en"><title>Broken</title><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<input type="text" name="nickname"></main></html>'
    )

    with pytest.raises(pytest.fail.Exception) as failure:
        check_a11y(page)

    report = str(failure.value)
    assert "2 accessibility violation(s)" in report
    assert "- image-alt (critical): Images must have alternative text" in report
    assert "- label (critical): Form elements must have labels" in report
    assert '    at input  <input type="text" name="nickname">' in report


def test_no_browser_test_waits_by_the_pages_eval():
    """wait_for_function polls by the page's eval, which Harbour's CSP
    forbids: such a test passes or fails by timing (tests/e2e/waiting.py)."""
    from pathlib import Path

    here = Path(__file__).parent
    users = [
        path.name
        for path in here.glob("*.py")
        if path.name != "waiting.py"
        and ".wait_for_function(" in path.read_text()
        and path.name != Path(__file__).name
    ]
    assert users == []
