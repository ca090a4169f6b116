from troubleshoot.compare import compare
from troubleshoot.document import check

from .conftest import small_document


def marked(text) -> list[str]:
    return [piece for piece, changed in text.pieces if changed]


def test_the_same_guide_has_no_differences():
    assert compare(check(small_document()), check(small_document())) == []


def test_a_changed_word_is_marked_and_the_rest_is_not():
    before = check(small_document())
    doc = small_document()
    doc["nodes"][0]["help"] = "Look at the cable."
    (change,) = compare(before, check(doc))
    assert (change.slug, change.title, change.state) == ("ask", "Is it plugged in?", "changed")
    (field,) = change.fields
    assert field.name == "Help" and marked(field.before) == ["plug."] and marked(field.after) == ["cable."]
    assert "".join(p for p, _ in field.after.pieces) == "Look at the cable."


def test_nodes_added_and_removed_and_links_moved_are_each_told():
    doc = small_document()
    doc["nodes"].insert(4, {"slug": "call", "kind": "escalation", "title": "Call us"})
    doc["nodes"][3]["if_not_fixed"] = "call"  # "fix" now leads to the new node
    doc["nodes"] = [n for n in doc["nodes"] if n["slug"] != "escalate"]
    doc["nodes"][1]["if_all_match"] = "call"
    changes = {c.slug: c for c in compare(check(small_document()), check(doc))}
    assert changes["call"].state == "added" and changes["escalate"].state == "removed"
    assert [(f.name, marked(f.before), marked(f.after)) for f in changes["fix"].fields] == [
        ("If not fixed", ["escalate"], ["call"])]


def test_a_first_version_is_all_added_and_the_guide_fields_come_first():
    changes = compare(None, check(small_document()))
    assert changes[0].title == "The guide itself" and changes[0].state == "added"
    assert {c.state for c in changes[1:]} == {"added"} and len(changes) == 6
