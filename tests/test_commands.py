import io
import json

import pytest
import yaml
from django.core.management import CommandError, call_command

from troubleshoot import document
from troubleshoot.models import Guide, Node, Version

from .conftest import shipped_documents, shipped_guides, small_document


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_load_guides_publishes_each_shipped_guide_once(db):
    run("load_guides")
    shipped = sorted(shipped_guides())
    assert sorted(Version.objects.values_list("guide__slug", "number")) == [(slug, 1) for slug in shipped]
    again = run("load_guides")
    assert f"Loaded 0 guide(s) and kept {len(shipped)} already here" in again
    assert Version.objects.count() == Guide.objects.count() == len(shipped)


def test_load_guides_keeps_admin_edits(shipped):
    Node.objects.filter(guide__slug="ns0109", slug="what-changed").update(title="Edited in the admin")
    run("load_guides")
    assert Node.objects.get(guide__slug="ns0109", slug="what-changed").title == "Edited in the admin"


@pytest.mark.parametrize("slug", sorted(shipped_guides()))
def test_fixture_import_export_round_trip(shipped, slug):
    exported = document.read(run("export_guide", slug))
    assert exported == shipped_guides()[slug]
    drafts_exported = document.read(run("export_guide", slug, "--draft"))
    assert drafts_exported == exported


def test_import_makes_a_draft_and_does_not_publish(shipped, tmp_path):
    doc = shipped_documents()["ns0109"]
    doc["nodes"][0]["title"] = "Retitled by import"
    path = tmp_path / "ns0109.yaml"
    path.write_text(yaml.safe_dump(doc))
    out = run("import_guide", str(path))
    assert "Imported ns0109 as a draft" in out and "not published (users still see version 1)" in out
    assert "--publish" in out
    assert Version.objects.filter(guide__slug="ns0109").count() == 1
    assert Node.objects.get(guide__slug="ns0109", slug=doc["nodes"][0]["slug"]).title == "Retitled by import"


def test_import_publishes_with_publish_only_when_the_document_changed(shipped, tmp_path):
    doc = shipped_documents()["ns0109"]
    path = tmp_path / "ns0109.json"
    path.write_text(json.dumps(doc))
    assert "unchanged" in run("import_guide", str(path), "--publish")
    doc["title"] = "NS0109, retitled"
    path.write_text(yaml.safe_dump(doc))
    assert "as version 2" in run("import_guide", str(path), "--publish", "--note", "New title")
    latest = Version.objects.get(guide__slug="ns0109", number=2)
    assert latest.document["title"] == "NS0109, retitled" and latest.note == "New title"
    assert Version.objects.get(guide__slug="ns0109", number=1).document["title"] != "NS0109, retitled"


def test_broken_import_changes_nothing_and_lists_every_problem(shipped, tmp_path):
    doc = shipped_documents()["ns0109"]
    doc["title"] = "Should not land"
    doc["nodes"][0]["choices"][0]["next"] = "missing-node"
    doc["nodes"][-1]["kind"] = "question"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(CommandError) as raised:
        run("import_guide", str(path))
    message = str(raised.value)
    assert "nothing changed" in message
    assert "the answer “The admin password was changed” leads to 'missing-node'" in message
    assert "node 'escalate': a question needs at least two answers" in message
    assert Guide.objects.get(slug="ns0109").title != "Should not land"
    assert Version.objects.filter(guide__slug="ns0109").count() == 1


def test_import_of_a_missing_file_says_so(db):
    with pytest.raises(CommandError, match="Cannot read /no/such/file.yaml"):
        run("import_guide", "/no/such/file.yaml")


def test_import_of_a_new_guide_creates_it(db, tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(document.write(document.check(small_document())))
    assert "Imported tiny as a draft" in run("import_guide", str(path))
    assert Node.objects.filter(guide__slug="tiny").count() == 5
    assert not Version.objects.filter(guide__slug="tiny").exists()


def test_import_of_a_new_guide_with_publish_publishes_it(db, tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(document.write(document.check(small_document())))
    assert "Published tiny as version 1 in " in run("import_guide", str(path), "--publish")
    assert Node.objects.filter(guide__slug="tiny").count() == 5


def a_file_over_unpublished_changes(tmp_path):
    """The draft of ns0109 edited and not published, and a document of it retitled, to import over it."""
    Node.objects.filter(guide__slug="ns0109", slug="escalate").update(title="Edited, not published")
    doc = shipped_documents()["ns0109"]
    doc["title"] = "NS0109 from a file"
    path = tmp_path / "ns0109.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_import_over_unpublished_changes_refuses_and_says_why(shipped, tmp_path):
    path = a_file_over_unpublished_changes(tmp_path)
    with pytest.raises(CommandError) as raised:
        run("import_guide", str(path), "--publish")
    message = str(raised.value)
    assert "nothing changed" in message and "1 node differs from version 1" in message
    assert "changed: Edited, not published" in message and "--replace-draft" in message
    assert Node.objects.get(guide__slug="ns0109", slug="escalate").title == "Edited, not published"
    assert Guide.objects.get(slug="ns0109").title != "NS0109 from a file"
    assert Version.objects.filter(guide__slug="ns0109").count() == 1


def test_import_with_replace_draft_replaces_unpublished_changes(shipped, tmp_path):
    path = a_file_over_unpublished_changes(tmp_path)
    assert "Imported ns0109 as a draft" in run("import_guide", str(path), "--replace-draft")
    assert Guide.objects.get(slug="ns0109").title == "NS0109 from a file"
    assert Node.objects.get(guide__slug="ns0109", slug="escalate").title != "Edited, not published"
    assert Version.objects.filter(guide__slug="ns0109").count() == 1


def test_load_guides_publishes_a_new_shipped_guide(db, tmp_path):
    (tmp_path / "tiny.yaml").write_text(document.write(document.check(small_document())))
    assert "Loaded tiny as version 1." in run("load_guides", "--folder", str(tmp_path))
    assert Version.objects.filter(guide__slug="tiny").count() == 1


def test_export_of_unknown_guide_fails(db):
    with pytest.raises(CommandError, match="no guide called 'nope'"):
        run("export_guide", "nope")


def test_check_guides_lists_every_problem_and_fails(tmp_path):
    doc = small_document(category="exports")
    doc["nodes"][-1]["kind"] = "solution"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(CommandError, match="1 of 1 document"):
        call_command("check_guides", str(path), stdout=(out := io.StringIO()))
    text = out.getvalue()
    assert "'category' 'exports' must be one of: connection, sync, export" in text
    assert "'if not fixed' must lead somewhere" in text
