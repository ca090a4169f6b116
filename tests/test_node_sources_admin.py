"""A node's sources in the admin: named beside the node, typed as ids, kept in the draft; the facts check as warnings."""

import html

from troubleshoot import document, drafts, publishing
from troubleshoot.document import check
from troubleshoot.models import Node

from .test_admin import node_form
from .test_sources import three_kinds


def tiny():
    return publishing.import_guide(check(three_kinds()), publish=True).row


def test_the_node_page_names_each_source_by_title_or_path(publisher):
    row = tiny()
    node = row.nodes.get(slug="ask")
    page = html.unescape(publisher.get(f"/admin/troubleshoot/node/{node.pk}/change/").content.decode())
    assert 'name="sources" value="tiny-article, oracle-tba"' in page
    assert "<b>tiny-article</b>: <a href=\"https://github.com/Expensify/App/blob/0123456789abcdef0123456789abcdef01234567/" \
           "docs/articles/tiny/NS9999.md\"" in page
    assert "<b>oracle-tba</b>: <a href=\"https://docs.oracle.com/" in page
    assert "Error Messages for the TBA Authorization Flow</a>" in page


def test_the_guide_page_shows_what_each_node_rests_on(publisher):
    row = tiny()
    page = html.unescape(publisher.get(f"/admin/troubleshoot/guide/{row.pk}/change/").content.decode())
    assert "Rests on (sources)" in page
    assert "<b>seed-billcom</b>: 004_b6b800c8b2eaa7d2.txt" in page  # the escalation's seed
    assert page.count("<b>tiny-article</b>: ") == 4  # the question, the checklist, both solutions


def test_node_sources_typed_in_the_admin_reach_the_draft_and_unknown_ids_are_refused(publisher):
    row = tiny()
    pk = row.nodes.get(slug="fix").pk
    data = node_form(publisher, pk) | {"sources": "seed-billcom  tiny-article,seed-billcom"}
    assert publisher.post(f"/admin/troubleshoot/node/{pk}/change/", data).status_code == 302
    assert Node.objects.get(pk=pk).sources == "seed-billcom, tiny-article"
    assert document.review(drafts.build(row))[0].nodes["fix"].sources == ("seed-billcom", "tiny-article")
    data = node_form(publisher, pk) | {"sources": "tiny-artcle"}
    page = html.unescape(publisher.post(f"/admin/troubleshoot/node/{pk}/change/", data).content.decode())
    assert "Not an id of this guide's sources: tiny-artcle. Its sources are: tiny-article, seed-billcom, oracle-tba." in page
    assert Node.objects.get(pk=pk).sources == "seed-billcom, tiny-article"


def test_an_authored_guide_gets_the_facts_check_as_warnings_and_still_publishes(publisher):
    row = tiny()
    pk = row.nodes.get(slug="plug").pk
    data = node_form(publisher, pk) | {"sources": ""}
    assert publisher.post(f"/admin/troubleshoot/node/{pk}/change/", data).status_code == 302
    page = html.unescape(publisher.get(f"/admin/troubleshoot/guide/{row.pk}/change/").content.decode())
    assert "names no sources: say which of the guide's sources this rests on" in page
    assert "has no facts record: write fixtures/facts/github/Expensify/App/docs/articles/tiny/NS9999@0123456789ab.yaml" in page
    assert publishing.publish(row, note="warnings do not block").number == 2
