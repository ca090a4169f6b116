import html
import io
import json
import re

import yaml
from django.contrib.auth.models import Group
from django.test import Client

from troubleshoot import document, publishing
from troubleshoot.models import Choice, Guide, Node, Version

from .conftest import login, shipped_documents, shipped_guides


def guide_pk(slug: str) -> int:
    return Guide.objects.get(slug=slug).pk


def node_pk(guide: str, slug: str) -> int:
    return Node.objects.get(guide__slug=guide, slug=slug).pk


# Who may do what


def test_groups_come_from_a_migration(db):
    assert Group.objects.get(name="guide publishers").permissions.filter(codename="publish_guide").exists()
    assert not Group.objects.get(name="guide editors").permissions.filter(codename="publish_guide").exists()


def test_staff_without_a_group_sees_nothing(shipped, django_user_model):
    client = login(django_user_model, "nobody")
    assert "You don’t have permission to view or edit anything" in client.get("/admin/").content.decode()
    assert client.get(f"/admin/troubleshoot/guide/{guide_pk('ns0109')}/change/").status_code == 403
    assert client.get(f"/admin/troubleshoot/guide/{guide_pk('ns0109')}/preview/").status_code == 403


def test_visitors_are_sent_to_log_in(shipped, client):
    response = client.get(f"/admin/troubleshoot/guide/{guide_pk('ns0109')}/preview/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_editors_change_drafts_but_do_not_publish(editor):
    pk = guide_pk("ns0565")
    page = editor.get(f"/admin/troubleshoot/guide/{pk}/change/").content.decode()
    assert "Publish…" not in page
    assert editor.get(f"/admin/troubleshoot/guide/{pk}/publish/").status_code == 403
    assert editor.post(f"/admin/troubleshoot/guide/{pk}/versions/", {"number": 1}).status_code == 403
    assert editor.get("/admin/troubleshoot/guide/import/").status_code == 403
    assert Version.objects.filter(guide__pk=pk).count() == 1


def test_an_editor_refused_a_publishers_page_is_told_which_group_can(editor):
    pk = guide_pk("ns0565")
    for response in (editor.get(f"/admin/troubleshoot/guide/{pk}/publish/"), editor.get("/admin/troubleshoot/guide/import/"),
                     editor.post(f"/admin/troubleshoot/guide/{pk}/versions/", {"number": 1})):
        page = response.content.decode()
        assert response.status_code == 403 and "Traceback" not in page
        assert "is for members of the “guide publishers” group" in page
        assert '<a class="button" href="/admin/">Back to the admin</a>' in page


# The guide's page


def test_guide_page_shows_outline_graph_and_problems(publisher):
    Choice.objects.filter(node__guide__slug="ns0565", node__slug="token-role", slug__in=["other", "unsure"]).delete()
    page = publisher.get(f"/admin/troubleshoot/guide/{guide_pk('ns0565')}/change/").content.decode()
    assert "errors must be fixed before this draft can be published" in page
    node_url = f"/admin/troubleshoot/node/{node_pk('ns0565', 'token-role')}/change/"
    title = "Which role is the Workspace&#x27;s access token linked to?"
    assert f'Error in <a href="{node_url}">“{title}”</a>: a question needs at least two answers: add another' in page
    assert "no answer leads here from the start" in page  # assign-role lost its only way in
    assert "“Expensify Integration” →" in page
    assert 'id="guide-graph-data"' in page and '"problem": "error"' in page


def test_every_problem_shows_at_once_whatever_else_is_wrong(publisher):
    from troubleshoot.models import Instruction

    Choice.objects.filter(node__guide__slug="ns0565", node__slug="token-role").update(next=None)  # a shape error
    Instruction.objects.filter(node__guide__slug="ns0565", node__slug="assign-role").delete()
    Node.objects.filter(guide__slug="ns0565", slug="fix-global-permissions").update(if_not_fixed=None)
    page = publisher.get(f"/admin/troubleshoot/guide/{guide_pk('ns0565')}/change/").content.decode()
    assert "leads nowhere: choose the node it leads to" in page
    assert page.count("no instructions for platform") == 3  # web, mobile and Classic, beside the shape error
    assert "&#x27;if not fixed&#x27; must lead somewhere" in page
    graph = json.loads(re.search(r'id="guide-graph-data" type="application/json">(.*?)</script>', page).group(1))
    errors = {n["id"] for n in graph["nodes"] if n["problem"] == "error"}
    assert {"token-role", "assign-role", "fix-global-permissions"} <= errors
    assert "Red: has an error to fix before publishing" in page and "has an error" in page  # legend and outline
    node_page = publisher.get(f"/admin/troubleshoot/node/{node_pk('ns0565', 'assign-role')}/change/").content.decode()
    assert "no instructions for platform" in node_page and "leads nowhere" not in node_page  # its own problems only


def test_the_guide_page_compares_the_draft_with_what_users_see_word_by_word(editor):
    Node.objects.filter(guide__slug="ns0109", slug="escalate").update(title="Talk to Concierge")
    page = editor.get(f"/admin/troubleshoot/guide/{guide_pk('ns0109')}/change/").content.decode()
    assert "The draft beside version 1, word by word" in page
    assert "<del>Ask</del> Concierge <del>to check the connection</del>" in page and "<ins>Talk to</ins> Concierge" in page


def test_an_editor_is_told_who_can_publish_a_ready_draft(editor, publisher):
    url = f"/admin/troubleshoot/guide/{guide_pk('ns0109')}/change/"
    assert "a member of “guide publishers” can publish it" in editor.get(url).content.decode()
    assert "this draft can be published" in publisher.get(url).content.decode()


def test_our_admin_pages_use_the_admins_breadcrumbs(publisher):
    page = publisher.get(f"/admin/troubleshoot/guide/{guide_pk('ns0109')}/versions/").content.decode()
    crumbs = re.search(r'<ol class="breadcrumbs">(.*?)</ol>', page, re.S).group(1)
    assert re.findall(r"<li[^>]*>(?:<a [^>]*>)?([^<]+)", crumbs) == [
        "Home", "Troubleshooting guides", "Guides", "NS0109: NetSuite rejects the Workspace&#x27;s login",
        "Versions of “NS0109: NetSuite rejects the Workspace&#x27;s login”"]


def test_guide_page_says_when_there_is_not_exactly_one_start(publisher):
    Node.objects.filter(guide__slug="ns0565", slug="global-permissions").update(is_start=True)
    page = publisher.get(f"/admin/troubleshoot/guide/{guide_pk('ns0565')}/change/").content.decode()
    assert "2 nodes are marked as the start: token-role, global-permissions; mark exactly one" in page
    Node.objects.filter(guide__slug="ns0565").update(is_start=False)
    page = publisher.get(f"/admin/troubleshoot/guide/{guide_pk('ns0565')}/change/").content.decode()
    assert "no node is marked as the start; mark exactly one" in page
    assert "&#x27;start&#x27; is missing" not in page


def test_node_page_shows_its_own_problems_and_only_its_guides_nodes(publisher):
    Node.objects.filter(guide__slug="ns0109", slug="what-changed").update(help="")
    page = publisher.get(f"/admin/troubleshoot/node/{node_pk('ns0109', 'what-changed')}/change/").content.decode()
    assert "Warning: no help text" in page
    assert "update-connection: Save the current credentials in the Workspace" in page
    assert "list-permissions" not in page  # an NS0384 node


# Publishing, versions, rollback


def test_publish_stores_the_next_version_with_who_and_why(publisher):
    pk = guide_pk("ns0565")
    Node.objects.filter(guide__pk=pk, slug="token-role").update(title="Which role does the token use?")
    response = publisher.post(f"/admin/troubleshoot/guide/{pk}/publish/", {"note": "Shorter question"}, follow=True)
    assert "Published “NS0565: The access token&#x27;s role can&#x27;t open Account records” as version 2." in response.content.decode()
    version = Version.objects.get(guide__pk=pk, number=2)
    assert (version.note, version.published_by.username) == ("Shorter question", "pat")
    assert version.document["nodes"][0]["title"] == "Which role does the token use?"


def test_publish_refuses_a_draft_with_errors(publisher):
    pk = guide_pk("ns0565")
    Choice.objects.filter(node__guide__pk=pk, node__slug="token-role").delete()
    page = publisher.get(f"/admin/troubleshoot/guide/{pk}/publish/").content.decode()
    assert "fix them before publishing" in page and 'value="Publish"' not in page
    page = publisher.post(f"/admin/troubleshoot/guide/{pk}/publish/", {"note": "try"}, follow=True).content.decode()
    assert "Not published" in page
    assert Version.objects.filter(guide__pk=pk).count() == 1


def publish_a_new_escalation_title(publisher, pk: int) -> None:
    """Version 2 of the guide: its escalation retitled "Talk to Concierge"."""
    Node.objects.filter(guide__pk=pk, slug="escalate").update(title="Talk to Concierge")
    publisher.post(f"/admin/troubleshoot/guide/{pk}/publish/", {"note": "New escalation title"})


def test_versions_show_each_difference_and_roll_back(publisher):
    pk = guide_pk("ns0109")
    publish_a_new_escalation_title(publisher, pk)
    page = publisher.get(f"/admin/troubleshoot/guide/{pk}/versions/").content.decode()
    assert "Changed: “Talk to Concierge” <code>escalate</code>" in page
    assert ('<tr><th scope="row">Title</th>\n      <td><del>Ask</del> <del>Concierge to check the connection</del></td>'
            not in page)  # words, not a line: the unchanged one stays unmarked
    assert "<del>Ask</del> Concierge <del>to check the connection</del>" in page
    assert "<ins>Talk to</ins> Concierge" in page
    response = publisher.post(f"/admin/troubleshoot/guide/{pk}/versions/", {"number": 1, "confirm": "yes"}, follow=True)
    assert "Version 1 is published again, as version 3. The draft is now the same as what users see." in response.content.decode()
    assert Version.objects.get(guide__pk=pk, number=3).document == Version.objects.get(guide__pk=pk, number=1).document
    assert Node.objects.get(guide__pk=pk, slug="escalate").title == "Ask Concierge to check the connection"


def test_rolling_back_asks_first_and_changes_nothing_until_confirmed(publisher):
    pk = guide_pk("ns0109")
    publish_a_new_escalation_title(publisher, pk)
    page = publisher.post(f"/admin/troubleshoot/guide/{pk}/versions/", {"number": 1}).content.decode()
    assert "Version 1 will be published again as the next version" in page
    assert 'name="confirm" value="Publish version 1 again"' in page
    assert Version.objects.filter(guide__pk=pk).count() == 2


def test_rolling_back_keeps_a_draft_with_unpublished_changes(publisher):
    pk = guide_pk("ns0109")
    publish_a_new_escalation_title(publisher, pk)
    Node.objects.filter(guide__pk=pk, slug="escalate").update(title="Draft work, not published")
    rows = dict(Node.objects.filter(guide__pk=pk).values_list("slug", "pk"))
    page = publisher.post(f"/admin/troubleshoot/guide/{pk}/versions/", {"number": 1}).content.decode()
    assert "Your draft has unpublished changes: 1 node differs from version 2" in page
    assert "Changed: Draft work, not published" in page and "Your draft is kept as it is" in page
    response = publisher.post(f"/admin/troubleshoot/guide/{pk}/versions/", {"number": 1, "confirm": "yes"}, follow=True)
    assert "Your draft was kept as it was, so it now differs from what users see." in response.content.decode()
    assert Version.objects.get(guide__pk=pk, number=3).document == Version.objects.get(guide__pk=pk, number=1).document
    assert dict(Node.objects.filter(guide__pk=pk).values_list("slug", "pk")) == rows  # node pages open elsewhere still work
    assert Node.objects.get(guide__pk=pk, slug="escalate").title == "Draft work, not published"


def test_rolling_back_to_what_users_already_see_changes_nothing(publisher):
    pk = guide_pk("ns0109")
    Node.objects.filter(guide__pk=pk, slug="escalate").update(title="Draft work, not published")
    response = publisher.post(f"/admin/troubleshoot/guide/{pk}/versions/", {"number": 1, "confirm": "yes"}, follow=True)
    assert "already what users see; nothing changed" in response.content.decode()
    assert Version.objects.filter(guide__pk=pk).count() == 1
    assert Node.objects.get(guide__pk=pk, slug="escalate").title == "Draft work, not published"


def test_unknown_version_is_a_404(publisher):
    pk = guide_pk("ns0109")
    assert publisher.post(f"/admin/troubleshoot/guide/{pk}/versions/", {"number": "x"}).status_code == 404
    assert publisher.get(f"/admin/troubleshoot/guide/{pk}/export/?version=9").status_code == 404
    assert publisher.post(f"/admin/troubleshoot/guide/{pk}/versions/", {"number": "99999999999999999999"}).status_code == 404


def test_published_versions_cannot_be_changed_or_deleted(publisher, django_user_model):
    root = login(django_user_model, "root", superuser=True)
    version = Version.objects.get(guide__slug="ns0109", number=1)
    assert root.post(f"/admin/troubleshoot/version/{version.pk}/change/", {"note": "changed"}).status_code == 403
    assert root.post(f"/admin/troubleshoot/version/{version.pk}/delete/", {"post": "yes"}).status_code == 403
    version.refresh_from_db()
    assert version.note != "changed"


# Import and export


def upload(client: Client, text: str, name="guide.yaml"):
    file = io.BytesIO(text.encode())
    file.name = name
    return client.post("/admin/troubleshoot/guide/import/", {"file": file}, follow=True)


def test_export_downloads_the_draft_document(publisher):
    response = publisher.get(f"/admin/troubleshoot/guide/{guide_pk('ns0384')}/export/")
    assert response["Content-Disposition"] == 'attachment; filename="ns0384-draft.yaml"'
    assert document.read(response.content) == shipped_guides()["ns0384"]


def test_import_makes_a_draft_and_does_not_publish(publisher):
    doc = shipped_documents()["ns0384"]
    doc["title"] = "NS0384, renamed"
    response = upload(publisher, yaml.safe_dump(doc))
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/admin/troubleshoot/guide/{guide_pk('ns0384')}/change/"
    assert "Imported “NS0384, renamed” as a draft: it is not published (users still see version 1)." in page
    assert f'<a href="/admin/troubleshoot/guide/{guide_pk("ns0384")}/publish/">publish it</a>' in page
    assert "Draft: Unpublished changes." in page
    assert Version.objects.filter(guide__slug="ns0384").count() == 1
    assert Guide.objects.get(slug="ns0384").title == "NS0384, renamed"


def test_import_of_what_users_see_says_so(publisher):
    page = upload(publisher, yaml.safe_dump(shipped_documents()["ns0384"])).content.decode()
    assert "version 1, which users see, already holds this document" in page
    assert "Draft: Same as version 1" in page


def test_import_over_unpublished_changes_asks_and_changes_nothing_until_confirmed(publisher):
    pk = guide_pk("ns0384")
    Node.objects.filter(guide__pk=pk, slug="new-token").update(title="Draft work, not published")
    doc = shipped_documents()["ns0384"]
    doc["title"] = "NS0384 from a file"
    page = upload(publisher, yaml.safe_dump(doc)).content.decode()
    assert "Nothing was imported yet: your draft has unpublished changes: 1 node differs from version 1." in page
    assert "Changed: Draft work, not published" in page and 'value="Replace my draft"' in page
    assert Guide.objects.get(slug="ns0384").title != "NS0384 from a file"
    assert Node.objects.get(guide__pk=pk, slug="new-token").title == "Draft work, not published"
    confirm = dict(re.findall(r'<input type="hidden" name="(document|seen_revision)" value="([^"]*)"', page))
    response = publisher.post("/admin/troubleshoot/guide/import/",
                              {name: html.unescape(value) for name, value in confirm.items()} | {"replace": "Replace my draft"},
                              follow=True)
    assert "Imported “NS0384 from a file” as a draft" in response.content.decode()
    assert Node.objects.get(guide__pk=pk, slug="new-token").title != "Draft work, not published"
    assert Version.objects.filter(guide__pk=pk).count() == 1


def test_replacing_a_draft_saved_since_the_question_asks_again(publisher):
    pk = guide_pk("ns0384")
    Node.objects.filter(guide__pk=pk, slug="new-token").update(title="Draft work, not published")
    doc = shipped_documents()["ns0384"]
    page = upload(publisher, yaml.safe_dump(doc | {"title": "From a file"})).content.decode()
    confirm = dict(re.findall(r'<input type="hidden" name="(document|seen_revision)" value="([^"]*)"', page))
    Guide.objects.filter(pk=pk).update(revision=99)  # someone saved the guide meanwhile
    page = publisher.post("/admin/troubleshoot/guide/import/",
                          {name: html.unescape(value) for name, value in confirm.items()} | {"replace": "Replace my draft"}).content.decode()
    assert 'value="Replace my draft"' in page
    assert Node.objects.get(guide__pk=pk, slug="new-token").title == "Draft work, not published"


def test_broken_import_changes_nothing_and_lists_every_problem(publisher):
    doc = shipped_documents()["ns0384"]
    doc["title"] = "Should not land"
    doc["nodes"][0]["choices"][0]["next"] = "missing"
    doc["nodes"][1]["instructions"] = [{"text": "Web only.", "platform": "expensify-web"}]
    page = upload(publisher, yaml.safe_dump(doc)).content.decode()
    assert "Nothing was imported. The document has 3 problems:" in page
    assert "leads to &#x27;missing&#x27;, which is not a node of this guide" in page
    assert "no instructions for platform &#x27;expensify-mobile&#x27;" in page
    assert "no instructions for platform &#x27;expensify-classic&#x27;" in page
    assert Guide.objects.get(slug="ns0384").title != "Should not land"
    assert Version.objects.filter(guide__slug="ns0384").count() == 1


def test_import_of_bad_yaml_says_where(publisher):
    page = upload(publisher, "slug: [oops\n").content.decode()
    assert "Nothing was imported" in page and "line 2" in page


# Preview


def test_a_publisher_can_publish_from_the_preview_and_an_editor_cannot(publisher, editor):
    pk = guide_pk("ns0109")
    url = f"/admin/troubleshoot/guide/{pk}/preview/expensify-web/"
    page = publisher.get(url).content.decode()
    assert f'action="/admin/troubleshoot/guide/{pk}/publish/"' in page and "csrfmiddlewaretoken" in page
    assert "Publish this draft" not in editor.get(url).content.decode()
    Node.objects.filter(guide__pk=pk, slug="escalate").update(title="Talk to Concierge")
    response = publisher.post(f"/admin/troubleshoot/guide/{pk}/publish/", {"note": "From the preview"})
    assert response.status_code == 302 and Version.objects.filter(guide__pk=pk, number=2, note="From the preview").exists()


def test_preview_walks_the_unpublished_draft(publisher, client):
    pk = guide_pk("ns0109")
    Node.objects.filter(guide__pk=pk, slug="what-changed").update(title="Draft question?")
    base = f"/admin/troubleshoot/guide/{pk}/preview/"
    page = publisher.get(base).content.decode()
    assert "Preview of the unpublished draft" in page and "Where do you see this error?" in page
    page = publisher.get(base + "expensify-web/").content.decode()
    assert "Draft question?" in page
    assert f'<a href="/admin/troubleshoot/guide/{pk}/change/">Back to the guide in the admin</a>' in page
    assert f'href="{base}expensify-web/password/"' in page
    assert "Save the current credentials" in publisher.get(base + "expensify-web/password/").content.decode()
    assert "Draft question?" not in client.get("/guides/ns0109/v1/expensify-web/").content.decode()


def test_preview_of_a_broken_draft_lists_its_errors(publisher):
    pk = guide_pk("ns0109")
    Node.objects.filter(guide__pk=pk, slug="what-changed").update(is_start=False)
    page = publisher.get(f"/admin/troubleshoot/guide/{pk}/preview/").content.decode()
    assert "can't be walked until these errors are fixed" in page
    assert "no node is marked as the start; mark exactly one" in page


def test_preview_answer_that_does_not_fit_is_a_404(publisher):
    response = publisher.get(f"/admin/troubleshoot/guide/{guide_pk('ns0109')}/preview/expensify-web/bogus/")
    assert response.status_code == 404


# Nothing lost


def node_form(client: Client, pk: int) -> dict:
    """The node's change form as the browser would post it back, unchanged."""
    response = client.get(f"/admin/troubleshoot/node/{pk}/change/")
    form = response.context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data |= {"guide": form.instance.guide_id, "seen_revision": form.instance.revision,
             "is_start": "on" if form.instance.is_start else ""}
    for key in ("if_not_fixed", "if_all_match", "if_any_differ"):
        data[key] = data.get(key) or ""
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data |= {f"{management.prefix}-{k}": v for k, v in management.initial.items()}
        for f in formset.formset.forms:
            for name, field in f.fields.items():
                value = f.initial.get(name, field.initial)
                data[f"{f.prefix}-{name}"] = "" if value is None else getattr(value, "pk", value)
    return {k: v for k, v in data.items() if v != "" or k.endswith(("_fixed", "_match", "_differ"))}


def test_saving_a_stale_node_form_is_refused(publisher, django_user_model):
    other = login(django_user_model, "olga", "guide editors")
    pk = node_pk("ns0109", "admin-login")
    mine, theirs = node_form(publisher, pk), node_form(other, pk)
    theirs["title"] = "Their title"
    assert other.post(f"/admin/troubleshoot/node/{pk}/change/", theirs).status_code == 302
    mine["title"] = "My title"
    response = publisher.post(f"/admin/troubleshoot/node/{pk}/change/", mine)
    assert response.status_code == 200
    assert "Someone else saved this since you opened it" in response.content.decode()
    assert Node.objects.get(pk=pk).title == "Their title"


def test_a_fresh_node_form_saves(publisher):
    pk = node_pk("ns0109", "admin-login")
    data = node_form(publisher, pk)
    data["title"] = "Can you sign in to NetSuite with the admin account?"
    assert publisher.post(f"/admin/troubleshoot/node/{pk}/change/", data).status_code == 302
    node = Node.objects.get(pk=pk)
    assert node.title == data["title"] and node.revision == 1
    assert node.guide.revision == 1  # a guide page opened before this save is stale now


def test_guide_list_shows_each_published_version_in_one_query(publisher, django_assert_max_num_queries):
    publisher.get("/admin/troubleshoot/guide/")
    with django_assert_max_num_queries(16):  # session, user, permissions, count, page, drafts with sources and parts: not one per guide
        page = publisher.get("/admin/troubleshoot/guide/").content.decode()
    assert page.count('<td class="field-published">1</td>') == len(shipped_guides())


def test_guide_list_says_which_drafts_have_unpublished_changes(publisher):
    Node.objects.filter(guide__slug="ns0109", slug="escalate").update(title="Draft work, not published")
    page = publisher.get("/admin/troubleshoot/guide/").content.decode()
    assert '<th scope="col" class="column-draft">' in page
    assert page.count('<td class="field-draft">Same as version 1</td>') == len(shipped_guides()) - 1
    assert page.count('<td class="field-draft">Unpublished changes</td>') == 1
    page = publisher.get(f"/admin/troubleshoot/guide/{guide_pk('ns0109')}/change/").content.decode()
    assert "Draft: Unpublished changes." in page and "Changed: Draft work, not published" in page


def test_editors_may_change_instructions_after_the_model_was_renamed(db):
    codenames = set(Group.objects.get(name="guide editors").permissions.values_list("codename", flat=True))
    assert {"add_instruction", "change_instruction", "delete_instruction", "view_instruction"} <= codenames
    assert not any(code.endswith("_step") for code in codenames)


def test_a_node_form_opened_before_an_import_that_left_it_alone_is_refused_with_why(publisher):
    pk = node_pk("ns0109", "admin-login")
    mine = node_form(publisher, pk)  # its answers' rows are written afresh by the import
    doc = shipped_documents()["ns0109"]
    next(n for n in doc["nodes"] if n["slug"] == "escalate")["title"] = "Only the escalation changed"
    publishing.import_guide(document.check(doc), replace_draft=True)
    mine["help"] = "My help"
    response = publisher.post(f"/admin/troubleshoot/node/{pk}/change/", mine)
    assert "Someone else saved this since you opened it" in response.content.decode()


def test_a_node_page_open_in_another_tab_survives_an_import_and_refuses_its_stale_form(publisher):
    pk = node_pk("ns0109", "admin-login")
    mine = node_form(publisher, pk)  # opened before the import
    doc = shipped_documents()["ns0109"]
    next(n for n in doc["nodes"] if n["slug"] == "admin-login")["title"] = "Imported title"
    publishing.import_guide(document.check(doc), replace_draft=True)
    assert publisher.get(f"/admin/troubleshoot/node/{pk}/change/").status_code == 200  # the same node, in place
    mine["title"] = "My title"
    response = publisher.post(f"/admin/troubleshoot/node/{pk}/change/", mine)
    assert "Someone else saved this since you opened it" in response.content.decode()
    assert Node.objects.get(pk=pk).title == "Imported title"


def test_save_and_edit_the_next_node_to_fix_passes_warnings_by(publisher):
    Node.objects.filter(guide__slug="ns0109", slug="what-changed").update(help="")  # a warning elsewhere
    pk = node_pk("ns0109", "admin-login")
    data = node_form(publisher, pk)
    data["help"] = ""  # a question without help is only a warning
    response = publisher.post(f"/admin/troubleshoot/node/{pk}/change/", data | {"_next_node": "1"})
    assert response["Location"] == f"/admin/troubleshoot/guide/{guide_pk('ns0109')}/change/"


def test_a_draft_state_from_rows_already_read_is_the_one_read_afresh(publisher):
    from troubleshoot import authoring, drafts

    Node.objects.filter(guide__slug="ns0565", slug="escalate").update(title="Edited, not published")
    never = Guide.objects.create(slug="never", title="Never published", error="NS0001 Nothing yet")
    for slug in ("ns0109", "ns0565", "never"):  # the same, changed, never published
        row = Guide.objects.get(slug=slug)
        assert drafts.state(row, authoring.review(row)[0]) == drafts.state(row), slug
    assert drafts.state(never, authoring.review(never)[0]).newest is None


def test_the_guide_page_links_each_source_at_the_commit_read(editor):
    guide = Guide.objects.get(slug="ns0023")
    source = guide.sources.first()
    page = editor.get(f"/admin/troubleshoot/guide/{guide.pk}/change/").content.decode()
    assert "Sources (the help articles this guide was written from, at the commit read)" in page
    assert f'href="https://github.com/Expensify/App/blob/{source.commit}/{source.path}"' in page
    assert 'value="export" selected' in page  # its kind of error
