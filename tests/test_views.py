import pytest
from django.test import Client

from troubleshoot import document, publishing
from troubleshoot.models import Guide, Node, Run

HTMX = {"HX-Request": "true"}
START = "/guides/ns0109/v1/expensify-web/"


@pytest.fixture
def client() -> Client:
    return Client()


def test_home_lists_the_guides_and_a_paste_box(client, shipped):
    page = client.get("/").content.decode()
    assert "NS0109: NetSuite rejects the Workspace&#x27;s login" in page
    assert "Sync didn&#x27;t finish: NetSuite login credentials invalid or expired" in page
    assert 'name="error"' in page


def test_guide_opens_its_newest_version(client, shipped):
    response = client.get("/guides/ns0109/")
    assert response.status_code == 302 and response["Location"] == "/guides/ns0109/v1/"


def test_platform_is_asked_when_a_guide_has_several(client, shipped):
    page = client.get("/guides/login-credentials/v1/").content.decode()
    assert "Where do you see this error?" in page
    assert 'href="/guides/login-credentials/v1/bill-com/"' in page
    assert 'href="/guides/login-credentials/v1/cashflow360/"' in page


def test_platform_is_skipped_when_there_is_one(client, db):
    doc = publishing.import_guide(document.check(one_platform()), publish=True).version.document
    response = client.get(f"/guides/{doc['slug']}/v1/")
    assert response["Location"] == f"/guides/{doc['slug']}/v1/only/"


def test_full_page_for_a_plain_request(client, shipped):
    page = client.get(START).content.decode()
    assert page.startswith("<!doctype html>")
    assert "<h1 tabindex=\"-1\">Has anything about the NetSuite login changed lately?</h1>" in page
    assert f'href="{START}password/" hx-get="{START}password/"' in page


def test_htmx_request_gets_only_the_step(client, shipped):
    page = client.get(START + "password/", headers=HTMX).content.decode()
    assert "<html" not in page
    assert page.strip().startswith('<section id="step"')
    assert "Save the current credentials in the Workspace" in page


def test_pages_and_fragments_of_one_url_vary_on_hx_request(client, shipped):
    for url in (START, START + "password/", START + "password/fixed/", "/guides/login-credentials/v1/"):
        for headers in ({}, HTMX):
            assert "HX-Request" in client.get(url, headers=headers)["Vary"], url


def test_public_forms_take_posts_from_this_site_only(client, shipped):
    fixed = START + "password/fixed/"
    client.get(fixed)
    others = [{"HTTP_SEC_FETCH_SITE": "cross-site"}, {"HTTP_SEC_FETCH_SITE": "same-site"},
              {"HTTP_ORIGIN": "https://evil.example"}]
    for url, fields in (("/find/", {"error": "NS0109"}), ("/suggest/", {"error": "NS0109"}),
                        ("/feedback/", {"text": "a note", "next": fixed})):
        for headers in others:
            response = client.post(url, fields, **headers)
            assert response.status_code == 403 and "another website" in response.content.decode(), (url, headers)
        ours = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}
        assert client.post(url, fields, **ours).status_code in (200, 302), url
    assert Run.objects.get().feedback == "a note"  # sent from this site


def test_public_pages_with_forms_are_cached_for_everyone_and_set_no_cookie(client, shipped):
    for url in ("/", START + "password/fixed/"):
        response = client.get(url)
        assert "csrfmiddlewaretoken" not in response.content.decode() and "csrftoken" not in response.cookies, url
        assert "private" not in response.get("Cache-Control", "") and "Cookie" not in response.get("Vary", ""), url


def test_history_restore_gets_the_full_page(client, shipped):
    headers = HTMX | {"HX-History-Restore-Request": "true"}
    page = client.get(START + "password/", headers=headers).content.decode()
    assert page.startswith("<!doctype html>")


def test_question_shows_why_and_progress(client, shipped):
    page = client.get(START).content.decode()
    assert "ask whoever looks after your NetSuite account" in page
    assert "Step 1 of at most 7" in page


def test_trail_lists_answers_each_changeable(client, shipped):
    page = client.get(START + "unsure/yes/").content.decode()
    assert "Nothing I know of, or I&#x27;m not sure" in page
    assert f'href="{START}" hx-get="{START}">Change' in page
    assert f'href="{START}unsure/" hx-get="{START}unsure/">Change' in page


def test_solution_shows_numbered_steps_link_and_did_it_work(client, shipped):
    page = client.get(START + "password/").content.decode()
    assert '<ol class="instructions">' in page
    assert "Who can do this:" in page and "A NetSuite administrator" in page
    assert 'value="http://testserver/guides/ns0109/v1/expensify-web/password/"' in page
    assert f'href="{START}password/fixed/"' in page and f'href="{START}password/not-fixed/"' in page


def test_solution_switches_platform_keeping_the_answers(client, shipped):
    page = client.get(START + "password/").content.decode()
    assert 'href="/guides/ns0109/v1/expensify-mobile/password/"' in page


def test_fixed_ends_the_walk(client, shipped):
    page = client.get(START + "password/fixed/").content.decode()
    assert "Glad that fixed it" in page
    assert "Did this fix it?" not in page


def test_not_fixed_leads_to_the_next_cause(client, shipped):
    page = client.get(START + "password/not-fixed/").content.decode()
    assert "Create a new access token and give it to the Workspace" in page


def test_escalation_has_a_summary_for_support(client, shipped):
    page = client.get(START + "password/not-fixed/not-fixed/").content.decode()
    assert "Concierge, Expensify&#x27;s support team" in page
    assert "Error message: NS0109 Sync Error: Failed to login to NetSuite. Please verify your admin credentials." in page
    assert "Where I see it: New Expensify on the web" in page
    assert "- Has anything about the NetSuite login changed lately? — The admin password was changed" in page
    assert "- Create a new access token and give it to the Workspace — No, it is not fixed" in page


def test_checklist_without_javascript_redirects_to_the_answer(client, shipped):
    url = "/guides/ns0384/v1/expensify-web/correct/?checked=1&differs=vendors&differs=accounts"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "/guides/ns0384/v1/expensify-web/correct/accounts+vendors/"


def test_checklist_with_htmx_renders_the_answer_and_pushes_its_url(client, shipped):
    url = "/guides/ns0384/v1/expensify-web/correct/?checked=1&differs=vendors"
    response = client.get(url, headers=HTMX)
    assert response["HX-Push-Url"] == "/guides/ns0384/v1/expensify-web/correct/vendors/"
    page = response.content.decode()
    assert "Set <strong>Vendors</strong> to <strong>Full</strong>" in page
    assert "Accounts" not in page.split("What to change")[1].split("</ul>")[0]


def test_checklist_with_nothing_ticked_means_all_match(client, shipped):
    response = client.get("/guides/ns0384/v1/expensify-web/correct/?checked=1")
    assert response["Location"] == "/guides/ns0384/v1/expensify-web/correct/all-match/"


def test_the_only_cookie_is_the_run_and_the_url_alone_opens_the_step(client, shipped):
    response = client.get(START + "password/")
    assert list(response.cookies) == ["run"]
    assert response.cookies["run"]["httponly"] and response.cookies["run"]["samesite"] == "Lax"
    fresh = Client().get(START + "password/").content.decode()
    assert "Save the current credentials in the Workspace" in fresh


def test_old_version_link_opens_with_a_note(client, shipped):
    Node.objects.filter(guide__slug="ns0109", slug="what-changed").update(title="What changed in NetSuite?")
    publishing.publish(Guide.objects.get(slug="ns0109"))
    old = client.get(START).content.decode()
    assert "Has anything about the NetSuite login changed lately?" in old
    assert "A newer version exists" in old
    new = client.get("/guides/ns0109/v2/expensify-web/").content.decode()
    assert "What changed in NetSuite?" in new and "A newer version exists" not in new


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/guides/nope/", "There is no guide called “nope”."),
        ("/guides/nope/v1/web/", "There is no guide called “nope”."),
        ("/guides/ns0109/v7/", "This guide has no version 7. Its newest version is 1."),
        ("/guides/ns0109/v7/expensify-web/", "This guide has no version 7."),
        ("/guides/ns0109/v99999999999/", "There is no page at this address."),
        ("/guides/ns0109/v1/fax/", "has no platform called “fax”"),
        ("/guides/ns0109/v1/expensify-web/bogus/", "&#x27;bogus&#x27; is not one of the answers"),
        ("/guides/ns0109/v1/expensify-web/password/fixed/more/", "the walk ended when the solution fixed it"),
        ("/guides/ns0109/v1/expensify-web/BAD%20!/", "not written the way the wizard writes them"),
        ("/guides/ns0109/v1/expensify-web/" + "x/" * 201, "not written the way the wizard writes them"),
        ("/no/such/page/", "There is no page at this address."),
    ],
)
def test_bad_urls_are_404s_that_say_what_was_wrong(client, shipped, url, says):
    response = client.get(url)
    assert response.status_code == 404
    page = response.content.decode()
    assert says in page
    assert 'href="/"' in page
    assert "Traceback" not in page


def test_wrong_answer_links_back_to_the_start_and_the_last_good_step(client, shipped):
    page = client.get(START + "unsure/bogus/").content.decode()
    assert f'href="{START}unsure/"' in page and f'href="{START}"' in page


def test_paste_with_a_known_code_opens_its_guide(client, shipped):
    response = client.post("/find/", {"error": "ns0565 sync error: something"})
    assert response["Location"] == "/guides/ns0565/v1/"


def test_paste_of_a_message_without_code_opens_its_guide(client, shipped):
    text = "NetSuite Sync Error: Sync didn’t finish   successfully! Your login credentials are invalid/expired"
    response = client.post("/find/", {"error": text})
    assert response["Location"] == "/guides/login-credentials/v1/"


def test_paste_of_an_unknown_code_opens_nothing(client, shipped):
    text = "NS0244 Sync Error: Permission error encountered when querying NetSuite for 'Classification'"
    response = client.post("/find/", {"error": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert "No guide for NS0244 yet" in page
    assert "NS0384: Permission error" in page  # offered, not opened


def test_paste_is_shown_escaped(client, shipped):
    page = client.post("/find/", {"error": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_empty_paste_asks_for_the_message(client, shipped):
    response = client.post("/find/", {"error": "   "})
    assert response.status_code == 400
    assert "the box was empty" in response.content.decode()


def test_huge_paste_is_handled(client, shipped):
    response = client.post("/find/", {"error": "x" * 1_000_000})
    assert response.status_code == 200
    assert "We read the first 10,000 characters." in response.content.decode()


def test_find_by_get_goes_home(client, shipped):
    assert client.get("/find/")["Location"] == "/"


def one_platform() -> dict:
    from .conftest import small_document

    doc = small_document(slug="solo", platforms=[{"slug": "only", "name": "Only", "support": "Help desk"}])
    for n in doc["nodes"]:
        for step in n.get("instructions", []):
            step.pop("platform", None)
    return doc


def test_a_step_costs_one_write_once_its_version_is_cached(client, shipped):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(START + "password/")  # the first request in a process reads and caches the version
    with CaptureQueriesContext(connection) as queries:
        assert client.get(START + "password/not-fixed/", headers=HTMX).status_code == 200
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert statements == ["INSERT"]  # the run's upsert; the newest version number is cached for a few seconds
    assert "ON CONFLICT" in queries.captured_queries[0]["sql"]


def test_a_publish_here_is_seen_at_once(client, shipped, django_capture_on_commit_callbacks):
    client.get(START)  # caches "version 1 is the newest"
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish(Guide.objects.get(slug="ns0109"))
    assert "A newer version exists" in client.get(START).content.decode()


def test_the_home_page_shows_a_guide_published_here_at_once(client, shipped, django_capture_on_commit_callbacks):
    assert "Fix a NetSuite sync error" in client.get("/").content.decode()  # the list is now cached
    guide = Guide.objects.get(slug="ns0109")
    Guide.objects.filter(pk=guide.pk).update(title="Renamed for version 2")
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish(Guide.objects.get(pk=guide.pk))
    assert "Renamed for version 2" in client.get("/").content.decode()


def test_the_home_page_asks_nothing_of_the_database_once_its_list_is_cached(client, shipped, django_assert_num_queries):
    client.get("/")
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


def test_a_first_step_costs_at_most_two_queries_whatever_the_guides_size(client, db, django_assert_max_num_queries):
    from benchmarks.generated import deepest_question, guide_document

    for size in (10, 5000):
        publishing.import_guide(document.check(guide_document(size)), publish=True)
        url = f"/guides/generated-{size}/v1/web/" + "".join(a + "/" for a in deepest_question(size))
        with django_assert_max_num_queries(3):  # newest version, the version (first time only), the new run
            assert client.get(url).status_code == 200
        client.cookies.clear()
        with django_assert_max_num_queries(1):  # then: the new run only
            assert client.get(url).status_code == 200


# Recognising pasted text, and learning what is missing


def test_paste_naming_the_app_opens_that_platforms_first_step(client, shipped):
    text = "Bill.com shows: Sync didn't finish successfully! Your login credentials are invalid/expired"
    response = client.post("/find/", {"error": text})
    assert response["Location"] == "/guides/login-credentials/v1/bill-com/"


def test_paste_close_to_two_guides_asks_which(client, shipped):
    from .conftest import small_document

    twin = small_document(slug="twin", codes=[], messages=["Sync didn't finish successfully! Your login credentials are invalid/expired"])
    publishing.import_guide(document.check(twin), publish=True)
    response = client.post("/find/", {"error": "Sync didn't finish successfully! Your login credentials are invalid/expired"})
    page = response.content.decode()
    assert response.status_code == 200 and "Which of these is your error?" in page
    assert 'href="/guides/twin/"' in page and 'href="/guides/login-credentials/"' in page


def test_pastes_with_no_guide_are_counted_by_their_normalised_text(client, shipped):
    from troubleshoot.models import MissingPaste

    client.post("/find/", {"error": "NS0197: Could not reconcile the imported card statement."})
    client.post("/find/", {"error": "  ns0197:   could not reconcile the imported card STATEMENT. "})
    client.post("/find/", {"error": "NS0109: Failed to login to NetSuite."})  # opens a guide: not recorded
    paste = MissingPaste.objects.get()
    assert (paste.code, paste.count, paste.text) == ("NS0197", 2, "NS0197: Could not reconcile the imported card statement.")


def test_recorded_text_is_capped_and_stripped_of_control_characters(client, shipped):
    from troubleshoot.models import MissingPaste

    client.post("/find/", {"error": "NS0999 \x00\x07" + "y" * 50_000})
    paste = MissingPaste.objects.get()
    assert len(paste.text) == MissingPaste.TEXT_LIMIT and "\x00" not in paste.text


def test_binary_paste_gets_an_answer_not_an_error(client, shipped):
    response = client.post("/find/", data=b"error=%FF%FE%00%01binary", content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 400)
    assert "Traceback" not in response.content.decode()


def test_deep_link_with_a_code_opens_its_guide(client, shipped):
    assert client.get("/error/NS0384/")["Location"] == "/guides/ns0384/v1/"
    assert client.get("/error/ns0384/?platform=expensify-mobile")["Location"] == "/guides/ns0384/v1/expensify-mobile/"
    assert client.get("/error/NS0384/?platform=fax")["Location"] == "/guides/ns0384/v1/"


def test_deep_link_with_an_unknown_code_says_so_and_records_it(client, shipped):
    from troubleshoot.models import MissingPaste

    response = client.get("/error/NS0244/?message=Permission error encountered when querying NetSuite for Classification")
    page = response.content.decode()
    assert response.status_code == 200 and "No guide for NS0244 yet" in page
    assert "Closest guides" in page and "NS0384" in page
    assert MissingPaste.objects.get().code == "NS0244"


def test_deep_link_with_a_bad_code_is_a_404(client, shipped):
    assert client.get("/error/<script>/").status_code == 404


def test_suggestions_while_typing(client, shipped):
    page = client.post("/suggest/", {"error": "Failed to login to NetSuite"}, headers=HTMX).content.decode()
    assert 'This looks like <a href="/guides/ns0109/">' in page
    page = client.post("/suggest/", {"error": "NS0244 permission error querying"}, headers=HTMX).content.decode()
    assert "No guide for NS0244 yet" in page
    assert client.post("/suggest/", {"error": ""}, headers=HTMX).content.decode().strip() == ""


def test_suggestions_record_nothing(client, shipped):
    from troubleshoot.models import MissingPaste

    client.post("/suggest/", {"error": "NS0244 something"}, headers=HTMX)
    assert not MissingPaste.objects.exists()


def test_missing_guides_list_offers_to_start_a_guide(client, shipped, django_user_model):
    from django.contrib.auth.models import Group

    client.post("/find/", {"error": "NS0197: Could not reconcile the imported card statement."})
    editor = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="guide editors"))
    client.force_login(editor)
    page = client.get("/admin/troubleshoot/missingpaste/").content.decode()
    assert "NS0197: Could not reconcile the imported card statement." in page
    start = "/admin/troubleshoot/guide/add/?codes=NS0197&amp;error=NS0197%3A+Could+not+reconcile+the+imported+card+statement."
    assert start in page
    form = client.get(start.replace("&amp;", "&")).content.decode()
    assert 'value="NS0197"' in form
