import copy
import json

import pytest

from troubleshoot import document
from troubleshoot.document import DocumentError, check, lint, read, write

from .conftest import FIXTURES, shipped_guides, small_document


def errors(doc: dict) -> list[str]:
    return [str(p) for p in lint(doc) if p.level == "error"]


def node(doc: dict, slug: str) -> dict:
    return next(n for n in doc["nodes"] if n["slug"] == slug)


def test_small_document_is_clean():
    assert errors(check(small_document())) == []


def test_write_then_read_gives_the_same_document():
    for doc in shipped_guides().values():
        assert read(write(doc)) == doc


def test_json_reads_like_yaml():
    guide = check(small_document())
    assert read(json.dumps(document.as_data(guide))) == guide


def test_bad_syntax_says_where():
    with pytest.raises(DocumentError) as raised:
        read("slug: tiny\nnodes: [unclosed\n")
    assert "line 3" in raised.value.problems[0]


def test_not_utf8_is_refused():
    with pytest.raises(DocumentError, match="not UTF-8"):
        read(b"slug: \xff\xfe")


def test_every_shape_problem_is_reported_at_once():
    doc = small_document(slug="Not A Slug", start="")
    del doc["nodes"][0]["title"]
    doc["nodes"][1]["colour"] = "red"
    with pytest.raises(DocumentError) as raised:
        check(doc)
    text = "\n".join(raised.value.problems)
    assert "'slug' 'Not A Slug' must be lower-case" in text
    assert "guide: the guide has no start: mark the node users see first" in text
    assert "nodes[0] (ask): this node has no title: write the question, or the solution's heading" in text
    assert "unknown key 'colour'" in text


def test_choice_to_a_missing_node_is_an_error():
    doc = small_document()
    node(doc, "ask")["choices"][1]["next"] = "nowhere"
    assert ("error: node 'ask': the answer “No” leads to 'nowhere', which is not a node of this guide: choose another"
            in errors(check_shape(doc)))


def test_a_cycle_is_an_error():
    doc = small_document()
    node(doc, "fix")["if_not_fixed"] = "ask"
    assert any("go round in a circle: ask → check → fix → ask" in e for e in errors(check_shape(doc)))


def test_unreachable_node_is_an_error():
    doc = small_document()
    doc["nodes"].append({"slug": "lost", "kind": "escalation", "title": "Lost"})
    assert "error: node 'lost': no answer leads here from the start: lead an answer here, or delete the node" in errors(
        check_shape(doc))


def test_question_needs_two_distinct_choices():
    doc = small_document()
    node(doc, "ask")["choices"][1]["label"] = "YES"
    assert "error: node 'ask': two answers have the label 'yes': change one" in errors(check_shape(doc))
    node(doc, "ask")["choices"].pop()
    assert "error: node 'ask': a question needs at least two answers: add another" in errors(check_shape(doc))


def test_solution_needs_instructions_for_every_platform():
    doc = small_document()
    node(doc, "plug")["instructions"] = [{"text": "Only on the web.", "platform": "web"}]
    assert "error: node 'plug': no instructions for platform 'phone': add one for it, or for every platform" in errors(
        check_shape(doc))


def test_solution_must_say_where_not_fixed_leads():
    doc = small_document()
    del node(doc, "fix")["if_not_fixed"]
    assert any("'if not fixed' must lead somewhere" in e for e in errors(check_shape(doc)))


def test_step_for_unknown_platform_is_an_error():
    doc = small_document()
    node(doc, "fix")["instructions"].append({"text": "Fax it.", "platform": "fax"})
    assert "error: node 'fix': an instruction is for platform 'fax', which the guide does not have" in errors(check_shape(doc))


def test_duplicate_node_slugs_are_an_error():
    doc = small_document()
    doc["nodes"].append(copy.deepcopy(node(doc, "escalate")))
    _, problems = document.review(doc)
    assert [(p.node, str(p)) for p in problems] == [
        ("escalate", "error: nodes[5]: two nodes have the slug 'escalate': give one another")]


def test_missing_start_node_is_an_error():
    assert "error: the start node 'gone' does not exist: mark another node as the start" in errors(
        check_shape(small_document(start="gone")))


def test_warnings_do_not_block():
    doc = small_document()
    del node(doc, "ask")["help"]
    node(doc, "fix")["instructions"] = [{"text": "Just this."}]
    checked = check(doc)
    warnings = [str(p) for p in lint(checked) if p.level == "warning"]
    assert "warning: node 'ask': no help text: say why it matters and where to look in NetSuite" in warnings
    assert "warning: node 'fix': only one instruction for platform 'web'" in warnings


def test_reserved_item_slug_is_refused():
    doc = small_document()
    node(doc, "check")["items"][0]["slug"] = "all-match"
    with pytest.raises(DocumentError, match="'all-match' is reserved"):
        check(doc)


def test_check_raises_on_lint_errors():
    doc = small_document(start="gone")
    with pytest.raises(DocumentError, match="the start node 'gone' does not exist"):
        check(doc)


def test_shipped_files_are_the_guides_and_not_their_library_of_parts():
    names = [p.name for p in document.shipped_files(FIXTURES)]
    assert {"login-credentials.yaml", "ns0109.yaml"} <= set(names) and document.PARTS_FILE not in names


def check_shape(doc: dict) -> dict:
    """Shape-check only, so that lint's errors can be read one by one."""
    checker = document._Checker()
    checked = checker.guide(doc)
    assert checker.problems == []
    return checked


def test_review_ties_shape_problems_to_their_node():
    doc = small_document()
    del node(doc, "fix")["title"]
    _, problems = document.review(doc)
    assert [(p.level, p.node) for p in problems] == [("error", "fix")]
    assert str(problems[0]) == "error: nodes[3] (fix): this node has no title: write the question, or the solution's heading"


def test_documents_written_before_instructions_had_their_name_still_read():
    doc = small_document()
    for n in doc["nodes"]:
        if "instructions" in n:
            n["steps"] = n.pop("instructions")
    guide = check(doc)
    assert guide == check(small_document())
    assert "steps:" not in write(guide) and "instructions:" in write(guide)
