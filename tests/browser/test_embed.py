"""The wizard framed by another origin's page: it walks in the frame, tells the host its height and step
when the host listens, and an origin not on the list cannot frame it.

The hosts are other ports of 127.0.0.1, so other origins: this Chromium aborts frames that a page on
127.0.0.2 opens on 127.0.0.1 (net::ERR_ABORTED, even for a plain file server), whatever the wizard answers.
"""

import functools
import http.server
import threading
from contextlib import contextmanager

import pytest

from ..conftest import free_port, gunicorn, scratch_database

LISTENING = """<!doctype html><title>Help panel</title>
<p id="heard">nothing yet</p>
<iframe id="wizard" src="{src}" style="width:420px;height:500px"></iframe>
<script>
  window.addEventListener("message", (event) => {{
    if (event.data && event.data.type === "netsuite-troubleshooter:step") {{
      document.getElementById("wizard").style.height = event.data.height + "px";
      document.getElementById("heard").textContent = event.origin + " | " + event.data.step + " | " + event.data.height;
    }}
  }});
</script>"""
DEAF = '<!doctype html><title>Help panel</title><iframe id="wizard" src="{src}"></iframe>'


@contextmanager
def host(address: str, pages: dict[str, str]):
    """Another site: serves `pages` (path -> HTML) on `address`, a loopback address of its own."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((address, free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{address}:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    pages: dict[str, str] = {}
    with host("127.0.0.1", pages) as allowed, host("127.0.0.1", pages) as other, \
            scratch_database(tmp_path_factory) as database, \
            gunicorn(tmp_path_factory, database | {"EMBED_ORIGINS": allowed}) as (wizard, _):
        src = wizard + "/embed/?message=NS0023%20Export%20Error&platform=expensify-web&context=ZD-4521"
        pages.update({"/listening": LISTENING.format(src=src), "/deaf": DEAF.format(src=src)})
        yield functools.partial(str.__add__, allowed), functools.partial(str.__add__, other), wizard


def test_the_walk_works_in_the_frame_and_the_host_hears_each_step(page, sites):
    allowed, _, wizard = sites
    page.goto(allowed("/listening"))
    frame = page.frame_locator("#wizard")
    frame.get_by_role("heading", level=1).wait_for()
    assert "employee record" in frame.get_by_role("heading", level=1).inner_text()
    page.wait_for_function("document.getElementById('heard').textContent.includes('employee record')")
    frame.get_by_role("link", name="No, there is no record for them").click()
    page.wait_for_function("document.getElementById('heard').textContent.includes('has a record in NetSuite')")
    heard = page.locator("#heard").inner_text()
    assert heard.startswith(wizard + " | ")  # sent by the frame, from the wizard's origin
    height = int(heard.rsplit("|", 1)[1])
    assert height > 300 and page.locator("#wizard").evaluate("f => f.style.height") == f"{height}px"
    frame.get_by_role("link", name="No, the error is still there").click()
    frame.get_by_role("heading", name="Make the employee's email and subsidiary match the Workspace").wait_for()
    frame.get_by_role("link", name="No, the error is still there").click()
    frame.get_by_role("heading", name="Check the employee's access, dates and currency").wait_for()
    frame.get_by_role("link", name="No, the error is still there").click()
    frame.get_by_text("Your case:").wait_for()  # the escalation, with the reference the panel was opened with
    page.wait_for_function("document.getElementById('heard').textContent.includes('Concierge')")
    assert "ZD-4521" in frame.locator(".context").inner_text()


def test_the_walk_works_when_the_host_does_not_listen(page, sites):
    allowed, _, _ = sites
    page.goto(allowed("/deaf"))
    frame = page.frame_locator("#wizard")
    frame.get_by_role("link", name="Yes, I found their record").click()
    frame.get_by_role("heading", name="Make the employee's email and subsidiary match the Workspace").wait_for()


def test_a_site_not_on_the_list_cannot_frame_it(page, sites):
    _, other, _ = sites
    page.goto(other("/deaf"))
    page.wait_for_timeout(1000)
    frame = page.frame(url=lambda url: "/embed/" in url)
    content = frame.content() if frame else ""
    assert "employee record" not in content
