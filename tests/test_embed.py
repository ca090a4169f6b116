"""The wizard in another app's frame: the same walk, compact, framed only by the listed origins."""

import re

from django.test import override_settings

HOST = "https://help.example.com"


def open_embed(client, **params):
    return client.get("/embed/", params)


@override_settings(EMBED_ORIGINS=[HOST])
def test_the_message_platform_and_context_open_the_guide_in_the_frame(client, shipped):
    response = open_embed(client, message="NS0023 Export Error: Employee does not exist in NetSuite.",
                          platform="expensify-classic", context="ZD-4521")
    assert response.status_code == 302 and response["Location"] == "/embed/ZD-4521/guides/ns0023/v1/expensify-classic/"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'class="embed"' in html and f'data-embed-origins="{HOST}"' in html and "embed." in html
    assert '<header class="site">' not in html and '<footer class="site">' not in html
    answers = re.findall(r'href="(/[^"]*)"', html)
    assert answers and all(a.startswith("/embed/ZD-4521/guides/ns0023/v1/") for a in answers if "/guides/" in a)
    assert f"frame-ancestors {HOST}" in page["Content-Security-Policy"] and "X-Frame-Options" not in page


@override_settings(EMBED_ORIGINS=[HOST])
def test_the_context_is_shown_where_the_walk_ends_and_the_public_page_stays_as_it_was(client, shipped):
    end = client.get("/embed/ZD-4521/guides/ns0023/v1/expensify-web/yes/not-fixed/not-fixed/").content.decode()
    assert "Your case: <strong>ZD-4521</strong>" in end and "Your reference:" in end
    public = client.get("/guides/ns0023/v1/expensify-web/yes/not-fixed/not-fixed/")
    assert '<header class="site">' in public.content.decode() and "Your case" not in public.content.decode()
    assert "frame-ancestors 'none'" in public["Content-Security-Policy"] and public["X-Frame-Options"] == "DENY"


def test_with_no_origin_listed_nobody_may_frame_it(client, shipped):
    page = client.get("/embed/-/guides/ns0023/v1/expensify-web/")
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"] and page["X-Frame-Options"] == "DENY"


@override_settings(EMBED_ORIGINS=[HOST])
def test_a_context_that_is_not_a_plain_reference_is_dropped(client, shipped):
    response = open_embed(client, message="NS0023", context="<script>")
    assert response["Location"] == "/embed/-/guides/ns0023/v1/"


@override_settings(EMBED_ORIGINS=[HOST])
def test_an_unknown_error_says_so_in_the_frame_and_offers_only_framed_links(client, shipped):
    response = open_embed(client, message="NS0244: Permission error encountered when querying NetSuite for 'Classification'",
                          context="ZD-1")
    html = response.content.decode()
    assert response.status_code == 404 and "No guide for NS0244 yet" in html and 'class="embed"' in html
    assert '/embed/ZD-1/guides/ns0384/' in html
    assert f"frame-ancestors {HOST}" in response["Content-Security-Policy"]
    empty = open_embed(client)
    assert empty.status_code == 400 and "Which error do you see?" in empty.content.decode()


@override_settings(EMBED_ORIGINS=[HOST])
def test_an_unknown_step_in_the_frame_is_a_404_that_says_where_to_go(client, shipped):
    response = client.get("/embed/ZD-1/guides/ns0023/v1/expensify-web/maybe/")
    assert response.status_code == 404 and "does not fit the guide" in response.content.decode()
    assert "/embed/ZD-1/guides/ns0023/v1/expensify-web/" in response.content.decode()


@override_settings(EMBED_ORIGINS=[HOST])
def test_a_note_sent_from_the_frame_is_saved_with_its_walk_and_thanks_in_the_frame(client, shipped):
    from troubleshoot.models import Run

    fixed = "/embed/ZD-4521/guides/ns0023/v1/expensify-web/yes/fixed/"
    assert 'name="next"' in client.get(fixed).content.decode()
    response = client.post("/feedback/", {"next": fixed, "text": "The email had a typo."},
                           headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 302 and response["Location"] == fixed + "?thanks=1"
    assert Run.objects.get(feedback="The email had a typo.").answers == "yes/fixed"
