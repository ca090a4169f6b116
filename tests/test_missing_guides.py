"""Missing guides: pastes that opened no guide, one row per error code, closed when a guide covers the code."""

import html
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from troubleshoot import document, publishing
from troubleshoot.models import Guide, MissingPaste

from .conftest import small_document

LIST = "/admin/troubleshoot/missingpaste/"


@pytest.fixture
def editor(client, django_user_model) -> Client:
    user = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="guide editors"))
    client.force_login(user)
    return client


def paste(text: str, times: int = 1) -> None:
    for _ in range(times):
        assert Client().post("/find/", {"error": text}).status_code == 200


def test_wordings_of_one_code_are_one_row_ranked_by_their_total(editor, shipped):
    paste("NS0197: Could not reconcile the imported card statement.")
    paste("NS0197 Sync Error: Could not reconcile the statement", times=2)
    paste("NS0777: Something else went wrong.", times=2)
    paste("The sync stopped for no reason we can name.")
    page = editor.get(LIST).content.decode()
    totals = [cell.split("<", 1)[0] for cell in page.split('<td class="field-total_count">')[1:]]
    assert totals == ["3", "2", "1"]  # NS0197's two wordings, NS0777, the paste without a code
    assert "and 1 other wording of this code" in page
    rows = [page.index(s) for s in ("NS0197: Could", "NS0777: Something", "The sync stopped")]
    assert rows == sorted(rows)


def test_a_codes_page_lists_every_wording_with_its_count(editor, shipped):
    paste("NS0197: Could not reconcile the imported card statement.")
    paste("NS0197 Sync Error: Could not reconcile the statement", times=2)
    row = MissingPaste.objects.by_code().get()
    page = editor.get(f"{LIST}{row.pk}/change/").content.decode()
    assert "<li>NS0197 Sync Error: Could not reconcile the statement <small>(2 pastes)</small></li>" in page
    assert "<li>NS0197: Could not reconcile the imported card statement. <small>(1 paste)</small></li>" in page


def test_a_code_that_a_newly_published_guide_covers_leaves_the_open_list(editor, shipped):
    paste("NS9999: Something tiny went wrong on the way.")
    assert "NS9999" in editor.get(LIST).content.decode()
    publishing.import_guide(document.check(small_document()), publish=True)  # a published guide with the code NS9999
    assert "NS9999" not in editor.get(LIST).content.decode()
    closed = editor.get(LIST + "?status=closed").content.decode()
    assert "NS9999" in closed and "Closed: covered by" in closed and "Start a guide" not in closed


def test_start_a_guide_links_to_the_guide_row_that_already_has_the_codes_slug(editor, shipped):
    paste("NS0197: Could not reconcile the imported card statement.")
    row = Guide.objects.create(slug="ns0197", title="Reports not marked paid", codes="NS0197", error="NS0197")
    page = editor.get(LIST).content.decode()
    assert "Start a guide" not in page
    assert f'<a href="/admin/troubleshoot/guide/{row.pk}/change/">Open the guide ns0197</a>' in page


def test_search_finds_a_code_by_any_of_its_wordings(editor, shipped):
    paste("NS0197: Could not reconcile the imported card statement.", times=2)
    paste("NS0197 Sync Error: the bill stayed open")
    page = editor.get(LIST + "?q=bill+stayed").content.decode()
    assert '<td class="field-total_count">3</td>' in page


def test_deleting_a_codes_row_deletes_all_its_wordings(editor, django_user_model, shipped):
    paste("NS0197: Could not reconcile the imported card statement.")
    paste("NS0197 Sync Error: the bill stayed open")
    paste("NS0777: Something else went wrong.")
    admin = django_user_model.objects.create_superuser("root", password="pw")
    editor.force_login(admin)
    row = MissingPaste.objects.by_code().get(code="NS0197")
    editor.post(f"{LIST}{row.pk}/delete/", {"post": "yes"})
    assert list(MissingPaste.objects.values_list("code", flat=True)) == ["NS0777"]


def test_the_list_sorts_by_each_of_its_columns(editor, shipped):
    paste("NS0197: Could not reconcile the imported card statement.")
    for order in ("1", "-1", "2", "4", "-4"):
        assert editor.get(f"{LIST}?o={order}").status_code == 200


def test_start_a_guide_from_a_paste_without_a_code_gives_a_slug_the_form_can_save(editor, shipped):
    paste("The sync stopped and nobody knows why at all")
    link = re.search(r'href="(/admin/troubleshoot/guide/add/\?[^"]+)">Start a guide', editor.get(LIST).content.decode())
    form = editor.get(html.unescape(link.group(1))).content.decode()
    assert 'value="the-sync-stopped-and-nobody-knows-why-at-all"' in form
