"""Browser tests: Debian's Chromium, driven by Playwright, against the app as `make run` serves it.

The app runs under gunicorn with DEBUG off, whitenoise and the collected static files, on a
temporary SQLite database loaded with the shipped guides.
"""

import shutil
from pathlib import Path

import pytest

from ..conftest import gunicorn, scratch_database

AXE = Path(__file__).with_name("vendor") / "axe-4.14.1.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
]
PHONE = {"width": 375, "height": 667}
AUTHOR_LOGIN = ("pat", "a-long-test-password")
AUTHOR = f"""
from django.contrib.auth.models import Group, User
user = User.objects.create_user({AUTHOR_LOGIN[0]!r}, password={AUTHOR_LOGIN[1]!r}, is_staff=True)
user.groups.add(Group.objects.get(name="guide publishers"))
"""
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> str:
    with (scratch_database(tmp_path_factory) as database,
          gunicorn(tmp_path_factory, database, setup=(["shell", "-c", AUTHOR],), workers=2) as (url, _)):
        yield url


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's event loop must not outlive the browser modules, or Django's ORM
    # in later tests would think it runs in async code.
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium), so the browser tests are skipped.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """new_page(viewport=..., javascript=...) -> a page in its own fresh context."""
    contexts = []

    def make(viewport=DESKTOP, javascript=True, **options):
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def log_in(page, server):
    """Log the page in to the admin as a member of "guide publishers"."""
    page.goto(server + "/admin/login/")
    page.get_by_label("Username").fill(AUTHOR_LOGIN[0])
    page.get_by_label("Password").fill(AUTHOR_LOGIN[1])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server + "/admin/")
    return page


@pytest.fixture
def author_page(new_page, server):
    return log_in(new_page(), server)
