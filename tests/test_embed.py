"""The wizard in another app's frame: the same walk, compact, framed only by the listed origins, one
run per walk with no cookie at all (a cross-site frame may get none)."""

import re

from django.test import Client, override_settings

from troubleshoot.models import Run

from .conftest import hand_off, hand_off_form, open_frame

HOST = "https://help.example.com"
FRAME = re.compile(r"^/embed/([A-Za-z0-9._:-]{40,})/guides/")


def cookieless() -> Client:
    """A browser that blocks third-party cookies: it keeps none for a framed site."""
    client = Client()
    client.cookies.clear()
    return client


def get(path: str, **kwargs):
    return cookieless().get(path, **kwargs)


@override_settings(EMBED_ORIGINS=[HOST])
def test_the_message_platform_and_context_open_the_guide_in_the_frame(shipped):
    start = open_frame(cookieless(), "NS0023 Export Error: Employee does not exist in NetSuite.", "expensify-classic",
                       context="ZD-4521")
    assert FRAME.match(start) and start.endswith("/guides/ns0023/v1/expensify-classic/")
    page = get(start)
    html = page.content.decode()
    assert 'class="embed"' in html and f'data-embed-origins="{HOST}"' in html and "embed." in html
    assert '<header class="site">' not in html and '<footer class="site">' not in html
    token = FRAME.match(start).group(1)
    answers = [a for a in re.findall(r'href="(/[^"]*)"', html) if "/guides/" in a]
    assert answers and all(a.startswith(f"/embed/{token}/guides/ns0023/v1/") for a in answers)
    assert f"frame-ancestors {HOST}" in page["Content-Security-Policy"] and "X-Frame-Options" not in page
    assert "Set-Cookie" not in page and not page.cookies  # the walk rides in its URLs


@override_settings(EMBED_ORIGINS=[HOST])
def test_a_walk_of_three_steps_in_a_frame_without_cookies_is_one_run(shipped):
    start = open_frame(cookieless(), "NS0023", "expensify-web", context="ZD-9")
    for answers in ("", "yes/", "yes/not-fixed/", "yes/not-fixed/not-fixed/"):
        assert get(start + answers).status_code == 200
    from troubleshoot import run_writer
    run_writer.writer.flush()
    run = Run.objects.get()
    assert run.answers == "yes/not-fixed/not-fixed" and run.context == "ZD-9" and not run.context_verified
    assert run.outcome != "escalated" and run.reference is None  # reaching the page hands nothing over


@override_settings(EMBED_ORIGINS=[HOST])
def test_a_plain_context_url_is_sent_on_to_a_frame_of_its_own(shipped):
    answer = get("/embed/ZD-4521/guides/ns0023/v1/expensify-web/yes/")
    assert answer.status_code == 302 and FRAME.match(answer["Location"])
    assert answer["Location"].endswith("/guides/ns0023/v1/expensify-web/yes/")
    assert not Run.objects.exists()


@override_settings(EMBED_ORIGINS=[HOST])
def test_the_context_is_shown_where_the_walk_ends_and_the_public_page_stays_as_it_was(shipped):
    start = open_frame(cookieless(), "NS0023", "expensify-web", context="ZD-4521")
    end = get(start + "yes/not-fixed/not-fixed/").content.decode()
    assert "Your case: <strong>ZD-4521</strong>" in end and "Your reference:" not in end
    assert "Get a reference</button>" in end
    public = Client().get("/guides/ns0023/v1/expensify-web/yes/not-fixed/not-fixed/")
    assert '<header class="site">' in public.content.decode() and "Your case" not in public.content.decode()
    assert "frame-ancestors 'none'" in public["Content-Security-Policy"] and public["X-Frame-Options"] == "DENY"


@override_settings(EMBED_ORIGINS=[HOST])
def test_a_hand_off_in_the_frame_reloaded_and_sent_again_is_one_escalation(shipped):
    start = open_frame(cookieless(), "NS0023", "expensify-web", context="ZD-4521")
    page = get(start + "yes/not-fixed/not-fixed/").content.decode()
    action, fields = hand_off_form(page)
    assert action.startswith("/embed/") and action.endswith("/handoff/")
    answers = [cookieless().post(action, fields) for _ in range(3)]
    assert {a.status_code for a in answers} == {303}
    assert f"frame-ancestors {HOST}" in answers[0]["Content-Security-Policy"]
    shown = {re.search(r"Your reference: <strong>([^<]+)", get(a["Location"]).content.decode()).group(1)
             for a in answers}
    assert len(shown) == 1
    assert Run.objects.filter(outcome="escalated").count() == 1
    assert Run.objects.get(outcome="escalated").reference == shown.pop()


def test_with_no_origin_listed_nobody_may_frame_it(shipped):
    start = open_frame(cookieless(), "NS0023", "expensify-web")
    page = get(start)
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"] and page["X-Frame-Options"] == "DENY"


@override_settings(EMBED_ORIGINS=[HOST])
def test_a_context_that_is_not_a_plain_reference_is_dropped(shipped):
    start = open_frame(cookieless(), "NS0023", "", context="<script>")
    assert start.endswith("/guides/ns0023/v1/")
    assert "Your case" not in get(start + "expensify-web/yes/not-fixed/not-fixed/").content.decode()


@override_settings(EMBED_ORIGINS=[HOST])
def test_an_unknown_error_says_so_in_the_frame_and_offers_only_framed_links(shipped):
    response = get("/embed/", data={"message": "NS0244: Permission error encountered when querying NetSuite for "
                                    "'Classification'", "context": "ZD-1"})
    html = response.content.decode()
    assert response.status_code == 404 and "No guide for NS0244 yet" in html and 'class="embed"' in html
    assert re.search(r'/embed/[A-Za-z0-9._:-]{40,}/guides/ns0384/', html)
    assert f"frame-ancestors {HOST}" in response["Content-Security-Policy"]
    empty = get("/embed/")
    assert empty.status_code == 400 and "Which error do you see?" in empty.content.decode()


@override_settings(EMBED_ORIGINS=[HOST])
def test_every_error_page_of_the_frame_may_be_framed_by_the_host(shipped):
    start = open_frame(cookieless(), "NS0023", "expensify-web", context="ZD-1")
    unknown_step = get(start + "maybe/")
    assert unknown_step.status_code == 404 and "does not fit the guide" in unknown_step.content.decode()
    assert start in unknown_step.content.decode()
    token = FRAME.match(start).group(1)
    pages = [unknown_step, get("/embed/-/guides/no-such-guide/", follow=True), get(f"/embed/{token}/nothing-here/"),
             cookieless().post(f"/embed/{token}/handoff/", {"step": start, "token": "forged"}),
             cookieless().post(f"/embed/{token}/feedback/", {"next": start, "text": "hi"},
                               headers={"Sec-Fetch-Site": "cross-site"})]
    assert [p.status_code for p in pages] == [404, 404, 404, 400, 403]
    for page in pages:
        assert f"frame-ancestors {HOST}" in page["Content-Security-Policy"] and "X-Frame-Options" not in page


@override_settings(EMBED_ORIGINS=[HOST])
def test_a_note_sent_from_the_frame_is_saved_with_its_walk_and_thanks_in_the_frame(shipped):
    start = open_frame(cookieless(), "NS0023", "expensify-web", context="ZD-4521")
    fixed = start + "yes/fixed/"
    page = get(fixed).content.decode()
    action = re.search(r'<form class="feedback[^"]*" method="post" action="([^"]+)"', page).group(1)
    assert action.startswith("/embed/") and action.endswith("/feedback/")
    response = cookieless().post(action, {"next": fixed, "text": "The email had a typo."},
                                 headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 302 and response["Location"] == fixed + "?thanks=1"
    assert f"frame-ancestors {HOST}" in response["Content-Security-Policy"]
    run = Run.objects.get(feedback="The email had a typo.")
    assert run.answers == "yes/fixed" and run.context == "ZD-4521"
    assert "Thank you: your note is saved" in get(response["Location"]).content.decode()


@override_settings(EMBED_ORIGINS=[HOST])
def test_a_hand_off_helper_walks_the_frame_too(shipped):
    start = open_frame(cookieless(), "NS0023", "expensify-web")
    assert "Your reference: <strong>" in hand_off(cookieless(), start + "yes/not-fixed/not-fixed/")


@override_settings(EMBED_ORIGINS=[HOST])
def test_the_frames_forms_need_no_csrf_cookie(shipped):
    """A cross-site frame may hold no cookie at all, so its forms cannot carry Django's CSRF token."""
    browser = Client(enforce_csrf_checks=True)
    start = open_frame(browser, "NS0023", "expensify-web")
    action, fields = hand_off_form(browser.get(start + "yes/not-fixed/not-fixed/").content.decode())
    assert browser.post(action, fields, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 303
    page = browser.get(start + "yes/fixed/").content.decode()
    note = re.search(r'<form class="feedback[^"]*" method="post" action="([^"]+)"', page).group(1)
    answer = browser.post(note, {"next": start + "yes/fixed/", "text": "ok"}, headers={"Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 302
