"""The embed across sites, as a customer's help panel shows it: the host page on `host.test`, the
wizard on `wizard.test` (both 127.0.0.1, named by Chromium's host resolver), so the frame is
cross-site, with third-party cookies blocked. One walk is one run; the hand-off is one escalation
however the frame is reloaded; the note form works in the frame; the host hears each step, with or
without `location.ancestorOrigins`."""

import json
import time

import jwt
import pytest

from ..conftest import gunicorn, run_manage, scratch_database
from .conftest import CHROMIUM, CHROMIUM_ARGS
from .test_embed import host

SECRET = "host-secret-for-signed-contexts-0123456789"
PANEL = """<!doctype html><title>Help panel</title>
<p id="heard">nothing yet</p><p id="reference"></p>
<iframe id="wizard" src="{src}" style="width:480px;height:600px"></iframe>
<script>
  addEventListener("message", (event) => {{
    if (event.origin !== "{wizard}" || !event.data || event.data.type !== "netsuite-troubleshooter:step") return;
    document.getElementById("wizard").style.height = event.data.height + "px";
    document.getElementById("heard").textContent = event.data.step;
    if (event.data.reference) document.getElementById("reference").textContent = event.data.reference;
  }});
</script>"""


@pytest.fixture(scope="module")
def browser():
    from pathlib import Path
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium), so the browser tests are skipped.")
    from playwright.sync_api import sync_playwright

    rules = "--host-resolver-rules=MAP wizard.test 127.0.0.1, MAP host.test 127.0.0.1"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            *CHROMIUM_ARGS, rules, "--test-third-party-cookie-phaseout"])  # blocks third-party cookies
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    pages: dict[str, str] = {}
    with host("127.0.0.1", pages) as panel, scratch_database(tmp_path_factory) as database:
        panel_origin = panel.replace("127.0.0.1", "host.test")
        env = database | {"EMBED_ORIGINS": panel_origin, "EMBED_CONTEXT_SECRET": SECRET,
                          "ALLOWED_HOSTS": "wizard.test,127.0.0.1", "ESCALATION_WEBHOOK_URL": "http://127.0.0.1:9/hook",
                          "ESCALATION_WEBHOOK_SECRET": "whsec-cross-site-test"}
        # Chromium opens spare connections it may never use; a lone sync worker would wait on one of them.
        with gunicorn(tmp_path_factory, env, workers=4) as (url, _):
            wizard = url.replace("127.0.0.1", "wizard.test")
            yield pages, panel_origin, wizard, env


def open_panel(sites, name: str, context: str) -> str:
    pages, panel, wizard, _ = sites
    token = jwt.encode({"context": context, "exp": int(time.time()) + 600}, SECRET, algorithm="HS256")
    src = f"{wizard}/embed/?message=NS0023%20Export%20Error&platform=expensify-web&context={context}&context_token={token}"
    pages[f"/{name}"] = PANEL.format(src=src, wizard=wizard)
    return f"{panel}/{name}"


def runs_of(env: dict, context: str) -> list[dict]:
    code = ("import json; from troubleshoot.models import Run, Delivery; print(json.dumps(["
            f"dict(r, deliveries=Delivery.objects.filter(reference=r['reference']).count()) if r['reference'] else r "
            f"for r in Run.objects.filter(context={context!r}).values("
            "'answers', 'outcome', 'reference', 'feedback', 'context', 'context_verified')]))")
    answer = run_manage("shell", "-c", code, **env)
    assert answer.returncode == 0, answer.stderr
    return json.loads(answer.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("ancestor_origins", [True, False])
def test_one_walk_in_a_cross_site_frame_is_one_run_and_one_hand_off(new_page, sites, ancestor_origins):
    _, _, wizard, env = sites
    context = "ZD-71" if ancestor_origins else "ZD-72"
    page = new_page()
    if not ancestor_origins:  # as Firefox: no location.ancestorOrigins
        page.context.add_init_script("Object.defineProperty(Location.prototype, 'ancestorOrigins', {get: () => undefined})")
    page.set_default_timeout(30_000)  # a loaded CI machine; nothing here waits on a timer
    page.goto(open_panel(sites, context, context), wait_until="domcontentloaded")
    frame = page.frame_locator("#wizard")
    frame.get_by_role("heading", level=1).wait_for()
    assert page.evaluate("document.cookie") == "" and page.frame(url=lambda u: "/embed/" in u).url.startswith(wizard)
    page.wait_for_function("document.getElementById('heard').textContent.includes('employee record')")
    frame.get_by_role("link", name="No, there is no record for them").click()
    page.wait_for_function("document.getElementById('heard').textContent.includes('has a record in NetSuite')")
    frame.get_by_role("link", name="No, the error is still there").click()
    frame.get_by_role("heading", name="Make the employee's email and subsidiary match the Workspace").wait_for()
    frame.get_by_role("link", name="No, the error is still there").click()
    frame.get_by_role("heading", name="Check the employee's access, dates and currency").wait_for()
    frame.get_by_role("link", name="No, the error is still there").click()
    frame.get_by_role("button", name="Send my answers to support").click()
    reference = frame.locator(".reference strong").inner_text()
    page.wait_for_function(f"document.getElementById('reference').textContent === '{reference}'")
    assert "and your case" in frame.locator(".sent").inner_text()

    inner = page.frame(url=lambda u: "/embed/" in u)
    for _ in range(2):  # the frame reloaded after the hand-off
        inner.evaluate("location.reload()")
        frame.locator(".reference strong").wait_for()
        assert frame.locator(".reference strong").inner_text() == reference
    frame.get_by_label("Anything we should know?").fill("Tried it twice.")
    frame.get_by_role("button", name="Send the note").click()
    frame.get_by_text("Thank you: your note is saved").wait_for()

    runs = runs_of(env, context)
    assert len(runs) == 1, runs
    assert runs[0] | {"answers": ""} == {"answers": "", "outcome": "escalated", "reference": reference,
                                          "feedback": "Tried it twice.", "context": context,
                                          "context_verified": True, "deliveries": 1}
