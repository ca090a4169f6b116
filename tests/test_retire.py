"""Retiring a guide: publishers retire and un-retire it in the admin; users, agents and pastes stop finding it,
while its old links keep opening with a notice."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from troubleshoot import publishing
from troubleshoot.models import Guide, MissingPaste, Run

from .test_admin import guide_pk

START = "/guides/ns0109/v1/expensify-web/"
TITLE = "NS0109: NetSuite rejects the Workspace&#x27;s login"


@pytest.fixture
def retired(shipped, django_capture_on_commit_callbacks) -> Guide:
    """ns0109, retired with a note, after its pages were cached (as they would be on a live site)."""
    Client().get("/")
    Client().get(START)
    guide = Guide.objects.get(slug="ns0109")
    with django_capture_on_commit_callbacks(execute=True):
        publishing.retire(guide, note="NetSuite no longer shows this error.")
    return guide


def retire_url(slug: str = "ns0109") -> str:
    return f"/admin/troubleshoot/guide/{guide_pk(slug)}/retire/"


def unretire_url(slug: str = "ns0109") -> str:
    return f"/admin/troubleshoot/guide/{guide_pk(slug)}/unretire/"


# In the admin


def test_a_publisher_retires_a_guide_after_a_page_that_says_what_it_does(publisher, django_capture_on_commit_callbacks):
    change = f"/admin/troubleshoot/guide/{guide_pk('ns0109')}/change/"
    assert f'<a href="{retire_url()}">Retire…</a>' in publisher.get(change).content.decode()
    page = publisher.get(retire_url()).content.decode()
    assert "Retire “NS0109" in page
    assert "it leaves the list of guides on the home page and the support agents' guide search" in page
    assert "still open" in page and "Nothing is deleted" in page
    assert Guide.objects.get(slug="ns0109").retired_at is None  # asking changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = publisher.post(retire_url(), {"note": "Replaced by the NS0110 guide."}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == change
    assert "Retired “NS0109" in page and "hidden from the guide list" in page
    assert "Retired on " in page and "by pat" in page and "“Replaced by the NS0110 guide.”" in page
    assert f'<a href="{unretire_url()}">Un-retire…</a>' in page
    guide = Guide.objects.get(slug="ns0109")
    assert guide.retired_at is not None and guide.retired_by.username == "pat"
    assert guide.retired_note == "Replaced by the NS0110 guide."
    history = publisher.get(f"/admin/troubleshoot/guide/{guide.pk}/history/").content.decode()
    assert "Retired. Replaced by the NS0110 guide." in history


def test_a_publisher_un_retires_a_guide_the_same_way(publisher, retired, django_capture_on_commit_callbacks):
    page = publisher.get(unretire_url()).content.decode()
    assert "Un-retire “NS0109" in page and "“NetSuite no longer shows this error.”" in page
    assert Guide.objects.get(slug="ns0109").retired_at is not None  # asking changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        page = publisher.post(unretire_url(), {"note": "The error is back."}, follow=True).content.decode()
    assert "is in use again" in page
    assert f'<a href="{retire_url()}">Retire…</a>' in page
    guide = Guide.objects.get(slug="ns0109")
    assert (guide.retired_at, guide.retired_by, guide.retired_note) == (None, None, "")
    assert TITLE in Client().get("/").content.decode()
    assert "This guide is retired" not in Client().get(START).content.decode()


def test_retiring_twice_changes_nothing(publisher, retired):
    before = Guide.objects.get(slug="ns0109").retired_at
    page = publisher.post(retire_url(), {"note": "again"}, follow=True).content.decode()
    assert "is already retired; nothing changed" in page
    guide = Guide.objects.get(slug="ns0109")
    assert guide.retired_at == before and guide.retired_note == "NetSuite no longer shows this error."


def test_a_note_longer_than_the_field_is_refused_with_a_message(publisher):
    page = publisher.post(retire_url(), {"note": "x" * 301}).content.decode()
    assert "Ensure this value has at most 300 characters" in page
    assert Guide.objects.get(slug="ns0109").retired_at is None


def test_editors_cannot_retire_and_are_told_who_can(editor, retired):
    change = f"/admin/troubleshoot/guide/{guide_pk('ns0109')}/change/"
    assert "Un-retire…" not in editor.get(change).content.decode()
    for response in (editor.get(retire_url("ns0384")), editor.post(retire_url("ns0384"), {"note": "x"}),
                     editor.post(unretire_url())):
        assert response.status_code == 403
        assert "is for members of the “guide publishers” group" in response.content.decode()
    assert Guide.objects.get(slug="ns0384").retired_at is None
    assert Guide.objects.get(slug="ns0109").retired_at is not None


def test_the_guide_list_shows_and_filters_retired_guides(publisher, retired):
    page = publisher.get("/admin/troubleshoot/guide/").content.decode()
    assert '<th scope="col" class="sortable column-retired">' in page
    day = date_format(timezone.localtime(retired.retired_at), "DATE_FORMAT")
    assert f'<td class="field-retired">Retired {day}</td>' in page
    assert '<td class="field-retired">-</td>' in page  # the guides in use
    retired_only = publisher.get("/admin/troubleshoot/guide/?retired=yes").content.decode()
    assert "NS0109" in retired_only and "NS0384" not in retired_only
    in_use = publisher.get("/admin/troubleshoot/guide/?retired=no").content.decode()
    assert "NS0384" in in_use and "NS0109: NetSuite rejects" not in in_use


def test_deleting_a_published_guide_says_to_retire_it_instead(publisher, editor):
    pk = guide_pk("ns0109")
    page = " ".join(publisher.get(f"/admin/troubleshoot/guide/{pk}/delete/").content.decode().split())
    assert "cannot be deleted: it has 1 published version" in page
    assert "Retire it instead" in page
    assert f'href="{retire_url()}">Retire this guide…</a>' in page
    assert "protected related objects" not in page and "permission to delete" not in page
    response = publisher.post(f"/admin/troubleshoot/guide/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 409 and Guide.objects.filter(pk=pk).exists()
    page = " ".join(editor.get(f"/admin/troubleshoot/guide/{pk}/delete/").content.decode().split())
    assert "Retiring guides is for members of the “guide publishers” group" in page
    assert "delete_selected" not in publisher.get("/admin/troubleshoot/guide/").content.decode()


def test_a_guide_never_published_nor_walked_can_still_be_deleted(publisher):
    guide = Guide.objects.create(slug="scratch", title="Scratch", error="NS0000 nothing")
    response = publisher.post(f"/admin/troubleshoot/guide/{guide.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Guide.objects.filter(pk=guide.pk).exists()


# What users and agents see


def test_a_retired_guide_leaves_the_home_page_at_once(retired):
    page = Client().get("/").content.decode()
    assert TITLE not in page
    assert "Sync didn&#x27;t finish: NetSuite login credentials invalid or expired" in page


def test_pastes_and_error_links_of_its_code_behave_as_with_no_guide(retired):
    client = Client()
    response = client.post("/find/", {"error": "NS0109: Failed to login to NetSuite."})
    assert response.status_code == 200 and "No guide for NS0109 yet" in response.content.decode()
    response = client.get("/error/NS0109/")
    assert response.status_code == 200 and "No guide for NS0109 yet" in response.content.decode()
    assert MissingPaste.objects.filter(code="NS0109").exists()  # counted as missing, so someone may write one
    suggestions = client.post("/suggest/", {"error": "NS0109"}).content.decode()
    assert "/guides/ns0109/" not in suggestions
    assert client.post("/find/", {"error": "ns0565 sync error"})["Location"] == "/guides/ns0565/v1/"  # others still open


def test_its_old_links_still_open_with_a_notice_and_a_link_to_all_guides(retired):
    client = Client()
    assert client.get("/guides/ns0109/")["Location"] == "/guides/ns0109/v1/"
    for url, headers in ((START, {}), (START + "password/", {}), (START + "password/", {"HX-Request": "true"}),
                         ("/guides/ns0109/v1/", {})):
        response = client.get(url, headers=headers)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert "This guide is retired:" in page, url
        assert "NetSuite no longer shows this error." in page
        assert '<a href="/">See all guides</a>' in page


def test_every_version_of_a_retired_guide_says_so(shipped, django_capture_on_commit_callbacks):
    guide = Guide.objects.get(slug="ns0109")
    publishing.publish(guide)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.retire(guide)
    old = Client().get(START).content.decode()
    assert "This guide is retired:" in old and "A newer version exists" in old
    newest = Client().get("/guides/ns0109/v2/expensify-web/").content.decode()
    assert "This guide is retired:" in newest and "A newer version exists" not in newest


def test_the_retired_flag_comes_with_the_newest_versions_in_one_query(retired, django_assert_num_queries):
    from troubleshoot.published import catalogue

    catalogue.forget_newest()
    with django_assert_num_queries(1):
        newest = catalogue.newest()
    assert [n.slug for n in newest if n.retired] == ["ns0109"]


def test_agents_search_no_longer_finds_it(retired, django_user_model):
    user = django_user_model.objects.create_user("alex", password="pw")
    user.groups.add(Group.objects.get(name="support agents"))
    agent = Client()
    agent.force_login(user)
    assert "NS0109" not in agent.get("/agent/?q=ns0109").content.decode()
    assert "NS0109" not in agent.get("/agent/").content.decode()
    assert "NS0384: Permission error" in agent.get("/agent/").content.decode()


def test_runs_of_a_retired_guide_are_still_recorded(retired):
    Client().get(START + "password/")
    assert Run.objects.filter(guide__slug="ns0109").exists()


def test_missing_guides_reopen_a_code_whose_guide_is_retired(publisher, retired):
    Client().post("/find/", {"error": "NS0109: Failed to login to NetSuite."})
    page = publisher.get("/admin/troubleshoot/missingpaste/").content.decode()
    assert "NS0109" in page and "Closed: covered by" not in page
