"""Shared parts: written once, included by name, pinned into each published version."""

import io

import pytest
from django.core.management import call_command

from troubleshoot import document, drafts, parts, publishing
from troubleshoot.admin import InstructionForm
from troubleshoot.models import Guide, Part, PartInstruction, Version

from .conftest import FIXTURES, small_document

STEP = "/guides/ns0023/v{}/expensify-classic/yes/"  # a solution that includes sync-workspace


def solution(doc: dict) -> dict:
    return next(n for n in doc["nodes"] if n["slug"] == "plug")


def edit_sync_part(text="Click **Accounting**, then click **Sync Now** beside NetSuite.") -> Part:
    part = Part.objects.get(slug="sync-workspace")
    PartInstruction.objects.filter(part=part, platform="expensify-classic", text__contains="Sync").update(text=text)
    return part


def test_a_document_includes_a_part_for_its_own_platforms_only():
    library = document.read_parts((FIXTURES / document.PARTS_FILE).read_bytes())
    doc = small_document()
    solution(doc)["instructions"].append({"part": "retry-export"})
    guide = document.check(doc, library)
    fix = guide.nodes["plug"]
    assert [i.text for i in guide.instructions_for(fix, "web")][-2:] == ["Open the report whose export failed.",
                                                                           "Export it to NetSuite again."]
    assert document.as_data(guide)["parts"] == [document.part_data(library["retry-export"])]


def test_a_part_that_does_not_exist_is_named_with_the_ones_that_do():
    doc = small_document()
    solution(doc)["instructions"].append({"part": "sync-everything"})
    with pytest.raises(document.DocumentError, match="there is no part 'sync-everything' \\(parts: none yet\\)"):
        document.check(doc)


def test_a_version_keeps_the_part_text_it_was_published_with(client, shipped):
    edit_sync_part()
    page = client.get(STEP.format(1)).content.decode()
    assert "click <strong>Sync</strong>" in page and "Sync Now</strong> beside NetSuite" not in page


def test_an_edited_part_shows_in_the_drafts_that_include_it(shipped):
    edit_sync_part()
    state = drafts.state(Guide.objects.get(slug="ns0023"))
    assert state.unpublished and state.changed and not state.added and not state.removed


def test_republishing_gives_each_guide_the_new_text_and_nothing_else_of_its_draft(client, shipped):
    part = edit_sync_part()
    Guide.objects.filter(slug="ns0023").update(title="Unpublished title")
    stale = [u.guide.slug for u in parts.uses(part) if u.stale]
    assert "ns0023" in stale and len(stale) == len(parts.used_by(part)) > 10

    done = publishing.republish(part)
    assert {d.guide for d in done} == set(stale)
    newest = Version.objects.filter(guide__slug="ns0023").order_by("-number").first()
    assert newest.number == 2 and newest.note == "Part 'sync-workspace' updated"
    assert newest.document["title"] != "Unpublished title"
    assert "Sync Now</strong> beside NetSuite" in client.get(STEP.format(2)).content.decode()
    assert "Sync Now</strong> beside NetSuite" not in client.get(STEP.format(1)).content.decode()
    assert publishing.republish(part) == []  # nothing is stale any more
    assert not any(u.stale for u in parts.uses(part))


def test_load_guides_adds_missing_parts_and_keeps_edited_ones(shipped):
    edit_sync_part("Edited here.")
    Part.objects.filter(slug="find-bundle").update(slug="find-the-bundle")  # as if the file had a part the database lacks
    out = io.StringIO()
    call_command("load_guides", stdout=out)
    assert "Added the parts find-bundle." in out.getvalue()
    assert PartInstruction.objects.filter(part__slug="sync-workspace", text="Edited here.").exists()


def test_importing_a_document_creates_the_parts_it_carries_but_never_changes_existing_ones(shipped):
    doc = small_document(slug="carried")
    solution(doc)["instructions"] += [{"part": "check-twice"}, {"part": "sync-workspace"}]
    doc["parts"] = [{"slug": "check-twice", "title": "Check twice", "instructions": [{"text": "Look again."}]},
                    {"slug": "sync-workspace", "title": "Changed", "instructions": [{"text": "Not this."}]}]
    guide = document.check(doc, parts.library())
    publishing.import_guide(guide, publish=True)
    assert Part.objects.get(slug="check-twice").instructions.get().text == "Look again."
    assert Part.objects.get(slug="sync-workspace").title == "Sync the Workspace with NetSuite"


def test_an_instruction_line_is_text_or_a_part_never_both_nor_neither(shipped):
    part = Part.objects.get(slug="retry-export")
    assert "not both" in str(InstructionForm({"text": "Do it.", "part": part.pk, "order": 0}).errors)
    assert "or choose a part" in str(InstructionForm({"text": " ", "order": 0}).errors)
    assert InstructionForm({"text": "", "part": part.pk, "order": 0}).is_valid()


def test_the_part_page_lists_its_guides_and_a_publisher_republishes_them(publisher, editor):
    part = edit_sync_part()
    page = publisher.get(f"/admin/troubleshoot/part/{part.pk}/change/").content.decode()
    assert "Guides that include it" in page and "<strong>Older text</strong> (version 1)" in page
    assert "Republish the guides that include it" in page
    assert editor.post(f"/admin/troubleshoot/part/{part.pk}/republish/").status_code == 403
    confirm = publisher.get(f"/admin/troubleshoot/part/{part.pk}/republish/").content.decode()
    assert "version 1 becomes version 2" in confirm
    response = publisher.post(f"/admin/troubleshoot/part/{part.pk}/republish/", follow=True)
    assert "Republished: " in response.content.decode() and "ns0023 as version 2" in response.content.decode()


def test_a_part_text_that_would_break_a_guide_publishes_nothing_and_says_which(publisher):
    part = Part.objects.get(slug="sync-workspace")
    part.instructions.filter(platform="expensify-classic").update(text="")  # as if emptied outside the admin
    before = Version.objects.count()
    response = publisher.post(f"/admin/troubleshoot/part/{part.pk}/republish/", follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and Version.objects.count() == before
    assert "Nothing was republished; with this text, ns0" in page and "empty instruction" in page
