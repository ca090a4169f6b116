"""Source ids, the three kinds of source, and the sources each node names (FORMAT.md §1-2)."""

import copy
import datetime

import pytest
import yaml

from troubleshoot import document, drafts, publishing
from troubleshoot.document import DocumentError, check, read, write

from .conftest import small_document

SEED = {"id": "seed-billcom", "seed": "004_b6b800c8b2eaa7d2.txt"}
PAGE = {"id": "oracle-tba", "url": "https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1534941088.html",
        "title": "Error Messages for the TBA Authorization Flow", "read": "2026-12-05"}


def three_kinds() -> dict:
    doc = small_document()
    doc["sources"] += [copy.deepcopy(SEED), copy.deepcopy(PAGE)]
    doc["nodes"][0]["sources"] = ["tiny-article", "oracle-tba"]
    doc["nodes"][-1]["sources"] = ["seed-billcom"]  # an escalation may name sources too
    return doc


def test_each_kind_of_source_reads_and_writes_back_the_same():
    guide = check(three_kinds())
    article, seed, page = guide.sources
    assert (article.kind, seed.kind, page.kind) == ("github", "seed", "web")
    assert article.link.startswith("https://github.com/Expensify/App/blob/0123456789abcdef")
    assert (seed.link, page.link, page.name, seed.name) == ("", PAGE["url"], PAGE["title"], SEED["seed"])
    assert guide.nodes["ask"].sources == ("tiny-article", "oracle-tba")
    assert read(write(guide)) == guide
    assert document.as_data(guide)["sources"] == three_kinds()["sources"]


def test_a_reading_date_written_as_a_yaml_date_reads_as_text():
    text = write(check(three_kinds()))
    assert "read: '2026-12-05'" in text or "read: 2026-12-05" in text
    assert isinstance(yaml.safe_load(text.replace("'2026-12-05'", "2026-12-05"))["sources"][2]["read"], datetime.date)
    assert read(text.replace("'2026-12-05'", "2026-12-05")).sources[2].read == "2026-12-05"


def test_an_unknown_source_id_is_an_error_naming_the_node_and_the_ids():
    doc = small_document()
    doc["nodes"][0]["sources"] = ["tiny-artcle"]
    with pytest.raises(DocumentError) as caught:
        check(doc)
    assert caught.value.problems == ["error: node 'ask': names the source 'tiny-artcle', which is not one of the "
                                     "guide's sources (tiny-article): fix the id, or add the source"]


def test_two_sources_with_one_id_and_a_mixed_source_are_errors():
    doc = small_document()
    doc["sources"].append({"id": "tiny-article", "seed": "a.txt", "url": "https://example.com/a"})
    with pytest.raises(DocumentError) as caught:
        check(doc)
    text = "\n".join(caught.value.problems)
    assert "two sources have the id 'tiny-article'" in text and "this one mixes seed and web" in text


def test_a_web_page_needs_its_title_and_reading_date():
    doc = small_document()
    doc["sources"].append({"id": "page", "url": "https://example.com/a", "read": "5 December"})
    with pytest.raises(DocumentError) as caught:
        check(doc)
    text = "\n".join(caught.value.problems)
    assert "a web page needs its 'title'" in text and "'read' '5 December' must be the date" in text


def test_a_document_without_ids_or_node_sources_still_reads_with_warnings():
    doc = small_document()
    del doc["sources"][0]["id"]
    for n in doc["nodes"]:
        n.pop("sources", None)
    guide, problems = document.review(doc)
    assert guide.sources[0].id == "" and all(not n.sources for n in guide.nodes.values())
    assert {p.level for p in problems} == {"warning"}
    assert "warning: node 'ask': names no sources: say which of the guide's sources this rests on" in map(str, problems)
    assert any("has no id" in p.message for p in problems)
    assert "id:" not in write(guide) and read(write(guide)) == guide


def test_sources_survive_the_draft_rows_and_publishing(db):
    guide = check(three_kinds())
    imported = publishing.import_guide(guide, publish=True)
    assert document.load(imported.version.document) == guide
    assert document.check(drafts.build(imported.row)) == guide
    node = imported.row.nodes.get(slug="ask")
    assert node.sources == "tiny-article, oracle-tba"


def test_adding_node_sources_alone_is_a_change_to_publish(db):
    doc = small_document()
    for n in doc["nodes"]:
        n.pop("sources", None)
    first = publishing.import_guide(check(doc), publish=True)
    second = publishing.import_guide(check(small_document()), publish=True, replace_draft=True)
    assert second.new and second.version.number == first.version.number + 1
    assert document.load(second.version.document).nodes["ask"].sources == ("tiny-article",)
