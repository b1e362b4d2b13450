"""
A course team member, in a real browser, does everything the Bulk tools tab offers, as a new user of the demo would:
sign in, open the tab in the instructor dashboard, preview and apply files, edit an id, regenerate the join code.
"""
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

CERTIFICATES_CSV = (b"username_or_email,notes\nlearner1,Medical leave\nlearner2@example.com,\nnobody\nlearner55\n"
                    b"learner7\nlearner1\n")
ROSTER_CSV = (b"email,name,student_id\nnewperson@example.com,New Person,S0200\nlearner1@example.com,,S0003\n"
              b"learner3@example.com,,S0001\nlearner4@example.com,,S0002\nlearner55@example.com,,\n"
              b"newstudent@example.com,,\nnot-an-email,,S0400\n")


def csv(name, content):
    return {"name": name, "mimeType": "text/csv", "buffer": content}


def open_tab(page):
    page.get_by_role("button", name="Bulk tools").click()
    expect(page.locator("#certexceptions_bulk_tools")).to_be_visible()
    return page.locator("#certexceptions_bulk_tools")


def count(panel, outcome):
    """The number on an outcome's filter button (``all`` for every row)."""
    return int(panel.locator(f".cxp-counts .cxp-count-{outcome} .cxp-count-number").inner_text())


def focus_by_tab(page, target, most=80, key="Tab"):
    """Press Tab (or Shift+Tab) until ``target`` has the focus, as a keyboard user reaches it."""
    for _ in range(most):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press(key)
    pytest.fail(f"{target} cannot be reached with the Tab key")


def choose_file_with_the_keyboard(page, file):
    """Space or Enter on the focused file input opens the file chooser; headless chromium at times misses a key."""
    for key in ("Space", "Enter", "Space"):
        try:
            with page.expect_file_chooser(timeout=3000) as chooser:
                page.keyboard.press(key)
        except PlaywrightTimeout:
            continue
        chooser.value.set_files(file)
        return
    pytest.fail("the keyboard does not open the file chooser")


def test_an_instructor_previews_then_applies_a_certificate_csv(sign_in):
    page = sign_in("instructor")
    tab = open_tab(page)
    panel = tab.locator("[data-cxp-import=certificate_exceptions]")
    panel.get_by_label("CSV file").set_input_files(csv("exceptions.csv", CERTIFICATES_CSV))
    expect(panel.get_by_role("button", name="Apply", exact=True)).to_be_disabled()
    panel.get_by_role("button", name="Preview", exact=True).click()

    result = panel.locator("[data-cxp-result]")
    expect(result).to_contain_text("Preview: nothing has been written yet")
    assert (count(panel, "all"), count(panel, "granted"), count(panel, "failed")) == (6, 2, 4)
    failed = result.locator("tr.cxp-row-failed")
    expect(failed).to_have_count(4)
    expect(result.locator("tr", has_text="nobody")).to_contain_text("No account has the username or email 'nobody'.")
    expect(result.locator("tr", has_text="learner7")).to_contain_text("active certificate invalidation")
    expect(result.locator("tbody tr").first.locator("td").first).to_have_text("2")  # row numbers of the file
    panel.locator(".cxp-count-failed").click()
    expect(result.locator("tbody tr")).to_have_count(4)
    screenshot(page, "certificates-preview")

    panel.get_by_role("button", name="Apply", exact=True).click()
    expect(result).to_contain_text("Done: what happened")
    assert count(panel, "granted") == 2
    report = page.request.get(result.get_by_role("link", name="Download the report (CSV)").get_attribute("href"))
    lines = report.text().lstrip("\ufeff").splitlines()
    assert lines[0] == "row,learner,username,email,notes,outcome,reason,message"
    assert lines[1].startswith("2,learner1,learner1,learner1@example.com,Medical leave,granted,")
    expect(panel.locator("[data-cxp-recent]")).to_contain_text("Import of 6 rows")
    screenshot(page, "certificates-applied")

    # Uploading the same file again is harmless: the granted rows are now unchanged.
    panel.get_by_role("button", name="Preview", exact=True).click()
    expect(result).to_contain_text("Preview: nothing has been written yet")
    assert count(panel, "unchanged") == 2


def test_a_roster_shows_new_existing_updated_and_failed_rows(sign_in):
    page = sign_in("instructor")
    panel = open_tab(page).locator("[data-cxp-import=invitations]")
    panel.get_by_label("CSV file").set_input_files(csv("roster.csv", ROSTER_CSV))
    panel.get_by_role("button", name="Preview", exact=True).click()
    result = panel.locator("[data-cxp-result]")
    expect(result).to_contain_text("Preview: nothing has been written yet")
    assert (count(panel, "invited"), count(panel, "enrolled"), count(panel, "failed")) == (1, 1, 2)
    changed = result.locator("tr", has_text="learner1@example.com")
    expect(changed.locator("del")).to_have_text("S0001")  # the id it replaces, then the new one
    expect(changed.locator("ins")).to_have_text("S0003")
    expect(result.locator("tr.cxp-row-failed", has_text="learner4@example.com")).to_contain_text(
        "already belongs to learner2")
    expect(result.locator("tr.cxp-row-failed", has_text="not-an-email")).to_contain_text("not a valid email")

    panel.get_by_role("button", name="Apply", exact=True).click()
    expect(result).to_contain_text("Done: what happened")
    ids = page.locator("[data-cxp-external-ids]")
    expect(ids.get_by_role("textbox", name="External id of newperson@example.com", exact=True)).to_have_value("S0200")
    expect(ids.get_by_role("textbox", name="External id of learner1", exact=True)).to_have_value("S0003")
    screenshot(page, "roster-applied")


def test_external_ids_are_searched_and_edited_inline(sign_in):
    page = sign_in("staff")
    ids = open_tab(page).locator("[data-cxp-external-ids]")
    ids.get_by_label("Username or email").fill("learner20")
    ids.locator("#cxp-ext-add-id").fill("B-20")
    ids.get_by_role("button", name="Save id").click()
    expect(ids.get_by_role("status")).to_contain_text("Saved the external id of learner20")

    ids.get_by_label("Search by email, username or external id").fill("learner20")
    ids.get_by_role("button", name="Search").click()
    expect(ids.locator("tbody tr")).to_have_count(1)
    field = ids.get_by_role("textbox", name="External id of learner20", exact=True)
    field.fill("B-21")
    ids.get_by_role("button", name="Save the external id of learner20").click()
    expect(ids.get_by_role("status")).to_contain_text("Saved the external id of learner20")

    # An id another learner holds is refused, with the API's sentence beside the field.
    ids.get_by_label("Search by email, username or external id").fill("")
    ids.get_by_role("button", name="Search").click()
    ids.get_by_role("textbox", name="External id of learner2", exact=True).fill("B-21")
    ids.get_by_role("button", name="Save the external id of learner2", exact=True).click()
    error = ids.locator("tr", has_text="learner2@example.com").locator(".cxp-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("B-21")
    page.reload()
    open_tab(page)
    ids.get_by_label("Search by email, username or external id").fill("B-21")
    ids.get_by_role("button", name="Search").click()
    expect(ids.locator("tbody tr")).to_have_count(1)
    expect(ids.locator("tbody tr")).to_contain_text("learner20")


def test_the_join_code_is_created_copied_and_regenerated_after_a_confirmation(sign_in):
    page = sign_in("instructor")
    join = open_tab(page).locator("[data-cxp-join-code]")
    join.get_by_role("button", name="Create a join code").click()
    code = join.locator("[data-cxp-join-value]")
    expect(code).to_have_text(re.compile(r"^[B-Z]\d{3}-[B-Z]\d{3}$"))
    first = code.inner_text()
    expect(join.get_by_label("Join link")).to_have_value(re.compile(f"{first}$"))
    qr = join.get_by_role("img", name="QR code of the join link")
    expect(qr).to_be_visible()
    page.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=qr.element_handle())

    # With the keyboard: the confirmation opens on Cancel; Escape keeps the code.
    regenerate = join.get_by_role("button", name="Regenerate code…")
    focus_by_tab(page, regenerate)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Regenerate the join code?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(first)
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(code).to_have_text(first)

    regenerate.click()
    dialog.get_by_role("button", name="Regenerate", exact=True).click()
    expect(code).not_to_have_text(first)
    expect(join.get_by_role("status")).to_contain_text("the old one no longer works")
    assert page.request.get(f"/api/course_join/v1/codes/{first}").status == 404

    # Settings: a refused value is explained beside its field; a good one is saved.
    join.get_by_label("Most enrolments through the code (blank: no limit)").fill("0")
    join.get_by_role("button", name="Save settings").click()
    expect(join.locator("[data-cxp-error=max_enrollments]")).to_be_visible()
    join.get_by_label("Most enrolments through the code (blank: no limit)").fill("30")
    join.get_by_label("Allowed email domains, separated by commas (blank: any)").fill("example.com, example.edu")
    join.get_by_role("button", name="Save settings").click()
    expect(join.get_by_role("status")).to_contain_text("The settings were saved.")
    page.reload()
    open_tab(page)
    expect(join.get_by_label("Allowed email domains, separated by commas (blank: any)")).to_have_value(
        "example.com, example.edu")
    screenshot(page, "join-code")


def test_course_staff_see_no_certificate_actions(sign_in):
    page = sign_in("staff")
    tab = open_tab(page)
    certificates = tab.locator("#cxp-certificates")
    expect(certificates).to_contain_text("Only the course's instructors and global staff can grant")
    expect(certificates.locator("input, button")).to_have_count(0)
    invitations = tab.locator("[data-cxp-import=invitations]")
    expect(invitations.get_by_role("button", name="Preview", exact=True)).to_be_visible()
    screenshot(page, "course-staff")


def test_the_keyboard_alone_previews_and_applies_a_file(sign_in):
    page = sign_in("instructor")
    nav = page.get_by_role("button", name="Bulk tools")
    focus_by_tab(page, nav)
    page.keyboard.press("Enter")
    panel = page.locator("[data-cxp-import=certificate_exceptions]")
    file_input = panel.get_by_label("CSV file")
    focus_by_tab(page, file_input)
    choose_file_with_the_keyboard(page, csv("keyboard.csv", b"learner9,By keyboard\n"))
    focus_by_tab(page, panel.get_by_role("button", name="Preview", exact=True))
    page.keyboard.press("Enter")
    result = panel.locator("[data-cxp-result]")
    expect(result).to_contain_text("Preview: nothing has been written yet")
    expect(result).to_be_focused()  # the result takes the focus, so it is read next
    focus_by_tab(page, panel.get_by_role("button", name="Apply", exact=True), key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(result).to_contain_text("Done: what happened")
    assert count(panel, "granted") == 1


def test_a_large_file_shows_progress_and_its_operation_can_be_reopened(sign_in):
    """Above CERTEXCEPTIONS_SYNC_MAX_ROWS (2,000) the import is an operation: a progress bar, rows a page at a time."""
    page = sign_in("instructor")
    panel = open_tab(page).locator("[data-cxp-import=certificate_exceptions]")
    rows = "".join(f"learner{n}\n" for n in range(1, 2101)).encode()
    panel.get_by_label("CSV file").set_input_files(csv("large.csv", rows))
    panel.get_by_role("button", name="Preview", exact=True).click()
    progress = panel.locator("[data-cxp-progress]")
    expect(progress).to_be_visible()
    expect(progress).to_contain_text("of 2100 rows")
    result = panel.locator("[data-cxp-result]")
    expect(result).to_contain_text("Preview: nothing has been written yet", timeout=60_000)
    expect(progress).to_be_hidden()
    assert count(panel, "all") == 2100
    expect(result.get_by_role("navigation")).to_contain_text("Page 1 of 42")
    result.get_by_role("button", name="Next").click()
    expect(result.get_by_role("navigation")).to_contain_text("Page 2 of 42")
    expect(result.locator("tbody tr").first.locator("td").first).to_have_text("51")
    panel.locator(".cxp-count-failed").click()
    expect(result.locator("tbody tr.cxp-row-failed")).to_have_count(50)

    # Leave and come back: the operation is listed, and opens on the same result.
    page.reload()
    panel = open_tab(page).locator("[data-cxp-import=certificate_exceptions]")
    recent = panel.locator("[data-cxp-recent] li", has_text="Preview of 2100 rows").first
    recent.get_by_role("button").click()
    expect(panel.locator("[data-cxp-result]")).to_contain_text("Preview: nothing has been written yet")
    assert count(panel, "all") == 2100
