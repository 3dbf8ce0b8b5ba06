"""The browser tests' instruments catch what they are there to catch: a failed request, a
console error, an accessibility violation, a table squeezed to one character per line."""

from tests.e2e.helpers import PHONE, Watch, axe_violations, squeezed_cells


def test_the_watch_reports_error_answers_console_errors_and_failed_loads(live_server, page):
    watch = Watch(page)
    page.goto(f"{live_server}/auth/login")
    assert watch.errors == []
    page.goto(f"{live_server}/no-such-page")
    page.evaluate("console.error('broken script')")
    page.route("**/static/app.js", lambda route: route.abort())  # a script that fails to load
    page.goto(f"{live_server}/auth/login")
    assert any(e.startswith("response: 404 GET /no-such-page") for e in watch.errors)
    assert "console: broken script" in watch.errors
    assert any(e.startswith("request failed: GET ") and "/static/app.js" in e for e in watch.errors)


def test_an_expected_error_answer_is_not_an_error_but_must_come(live_server, page):
    watch = Watch(page)
    with watch.expecting(404):
        page.goto(f"{live_server}/no-such-page")
    assert watch.errors == [] and watch.expected_seen == ["404 GET /no-such-page"]
    try:
        with watch.expecting(400):
            page.goto(f"{live_server}/auth/login")
    except AssertionError as error:
        assert "expected a 400 answer" in str(error)
    else:
        raise AssertionError("a missing expected answer went unnoticed")


def test_axe_reports_serious_violations_only(page):
    page.set_content('<html lang="en"><head><title>t</title></head><body><main>'
                     '<p style="color:#aaa;background:#fff">faint text</p>'
                     '<input type="text"></main></body></html>')
    found = axe_violations(page, "sample")
    assert any(line.startswith("sample: color-contrast (serious)") for line in found)
    assert any(line.startswith("sample: label (critical)") for line in found)
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><h1>Fine</h1>'
                     '<label for="q">Search</label><input id="q" type="text"></main></body></html>')
    assert axe_violations(page) == []


def test_a_squeezed_chinese_table_is_found(page):
    page.set_viewport_size(PHONE)
    cells = "".join(f"<td>小蜜售前助手{i}</td>" for i in range(12))
    page.set_content(f"<table><tr>{cells}</tr></table>")
    assert len(squeezed_cells(page)) == 12
    page.set_content(f'<div style="overflow-x:auto"><table><tr>{cells.replace("<td>", "<td style=min-width:6em>")}'
                     "</tr></table></div>")
    assert squeezed_cells(page) == []
