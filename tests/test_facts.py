"""The facts check (FORMAT.md §3-5): a node states only what its sources' records hold."""

import copy
from pathlib import Path

import pytest
import yaml

from troubleshoot import document, facts
from troubleshoot.document import check
from troubleshoot.guide import Source

from .conftest import small_document

HERE = Path(__file__).parent / "fixtures"
ARTICLE = {"repo": "Expensify/App", "path": "docs/articles/tiny/NS9999.md",
           "commit": "0123456789abcdef0123456789abcdef01234567"}


def write_facts(folder: Path, terms=(), permissions=(), everyday=(), source=ARTICLE) -> facts.Facts:
    record = folder / facts.record_file(Source(**source))
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(yaml.safe_dump({"source": source, "terms": list(terms), "permissions": list(permissions)}))
    (folder / facts.EVERYDAY_FILE).write_text(yaml.safe_dump({"words": [{"word": w, "why": "test"} for w in everyday]}))
    return facts.load(folder)


def guide_saying(*texts: str, parts=None) -> object:
    """The small guide whose 'fix' solution says these lines (its other nodes bold nothing)."""
    doc = small_document()
    for n in doc["nodes"]:
        if n["slug"] == "plug":
            n["instructions"] = [{"text": "Find the plug."}, {"text": "Plug it in."}]
        if n["slug"] == "fix":
            n["instructions"] = [{"text": t} for t in texts] if not parts else [{"part": p} for p in parts]
    if parts:
        doc["parts"] = copy.deepcopy(parts_data())
    return check(doc)


def parts_data():
    return [{"slug": "press-save", "title": "Save", "instructions": [{"text": "Click **Apply Changes**."}]}]


def claims(guide, found: facts.Facts) -> list[str]:
    return [f"{c.node}: {c.message.split(';')[0]}" for c in facts.check(guide, found)]


def test_ns0565_as_shipped_fails_accounts_at_full_with_only_its_own_article():
    guide = document.read((HERE / "ns0565-before-issue-21.yaml").read_bytes())
    found = claims(guide, facts.load(HERE / "facts"))
    assert "account-permission: the permission **Accounts** at **Full**" in found
    assert "grant-accounts: the permission **Accounts** at **Full**" in found
    assert "account-permission: the path setup > users/roles > manage roles" in found
    assert "new-token: **Token ID**" in found  # the article names no such field
    assert not any("**Access Tokens**" in c or "**Expensify Integration**" in c for c in found)


def test_a_bold_term_passes_only_when_a_source_of_the_node_holds_it(tmp_path):
    found = write_facts(tmp_path, terms=["Expensify Integration", "Sync Now"])
    assert claims(guide_saying("Choose **Expensify Integration**, then **Sync Now**."), found) == []
    assert claims(guide_saying("Choose **Expensify Integration** and click **Reconnect**."), found) == [
        "fix: **Reconnect**"]


def test_matching_ignores_case_quotes_spaces_and_a_trailing_stop(tmp_path):
    found = write_facts(tmp_path, terms=["Don’t   Sync", "Sync Now"])
    assert claims(guide_saying("Click **don't sync.**", "Click **SYNC NOW:**"), found) == []


def test_a_path_passes_as_contiguous_segments_of_a_recorded_path(tmp_path):
    found = write_facts(tmp_path, terms=["Setup > Users/Roles > Manage Roles"])
    held = ["Go to **Setup > Users/Roles > Manage Roles**.", "Open **Users/Roles** > **Manage Roles**.",
            "Open **Users/Roles**.", "In NetSuite go to Setup > Users/Roles and look."]
    assert claims(guide_saying(*held), found) == []
    assert claims(guide_saying("Go to **Setup** > **Manage Roles**."), found) == ["fix: the path setup > manage roles"]
    assert claims(guide_saying("Go to Setup > Manage Roles and look."), found) == ["fix: the path setup > manage roles"]
    assert claims(guide_saying("Open **Roles**."), found) == ["fix: **Roles**"]  # a segment is whole or nothing


def test_a_permission_pair_must_be_one_a_source_gives(tmp_path):
    found = write_facts(tmp_path, terms=["Accounts"], permissions=["Accounts: Full"])
    for held in ("Set **Accounts** to **Full**.", "With **Accounts** set to **Full**.", "**Accounts**: **Full**",
                 "**Accounts:** **Full**", "**Accounts** at **Full**", "Give it **Accounts: Full**."):
        assert claims(guide_saying(held), found) == [], held
    assert claims(guide_saying("Set **Accounts** to **View**."), found) == [
        "fix: the permission **Accounts** at **View**"]
    assert claims(guide_saying("Set **Vendors** to **Full**."), found) == [
        "fix: the permission **Vendors** at **Full**"]


def test_everyday_words_may_be_bolded_without_a_source(tmp_path):
    assert claims(guide_saying("Click **Save**."), write_facts(tmp_path)) == ["fix: **Save**"]
    assert claims(guide_saying("Click **Save**."), write_facts(tmp_path, everyday=["Save"])) == []


def test_a_part_is_checked_against_the_sources_of_each_node_that_includes_it(tmp_path):
    other = ARTICLE | {"path": "docs/articles/tiny/other.md"}
    write_facts(tmp_path, terms=["Apply Changes"], source=other)
    found = write_facts(tmp_path, terms=[])
    doc = small_document(parts=parts_data())
    doc["sources"].append({"id": "other", **other})
    for n in doc["nodes"]:
        if n["slug"] in ("plug", "fix"):
            n["instructions"] = [{"text": "Find the plug."}, {"part": "press-save"}]
        if n["slug"] == "plug":
            n["sources"] = ["other"]
    assert claims(check(doc), found) == ["fix: **Apply Changes**"]


def test_a_node_citing_a_source_without_a_record_holds_nothing(tmp_path):
    found = write_facts(tmp_path, terms=["Sync Now"], source=ARTICLE | {"commit": "f" * 40})
    assert claims(guide_saying("Click **Sync Now**."), found) == ["fix: **Sync Now**"]


def shipped(doc: dict, found: facts.Facts) -> list[str]:
    guide, problems = document.review(doc)
    return [str(p) for p in facts.shipped(guide, problems, found)]


def test_the_shipped_requirements_are_errors_and_warnings_in_the_admin(tmp_path):
    found = write_facts(tmp_path, terms=["Plug"])
    assert shipped(small_document(), found) == []
    doc = small_document()
    doc["sources"].append({"seed": "004_b6b800c8b2eaa7d2.txt"})
    doc["sources"][0]["commit"] = "1" * 40
    del doc["nodes"][0]["sources"]
    doc["nodes"][2]["instructions"][1]["text"] = "Click **Unplug** on the web."
    found = write_facts(tmp_path, terms=["Plug"], source=ARTICLE | {"commit": "1" * 12 + "0" * 28})
    mismatch = (f"the facts record github/Expensify/App/docs/articles/tiny/NS9999@111111111111.yaml is for commit "
                f"{'1' * 12 + '0' * 28}, not the source's {'1' * 40}")
    no_record = ("the source 004_b6b800c8b2eaa7d2.txt has no facts record: "
                 "write fixtures/facts/seeds/004_b6b800c8b2eaa7d2.yaml")
    assert shipped(doc, found) == [
        "error: the source 004_b6b800c8b2eaa7d2.txt has no id: give it one, so nodes can name it",
        "error: node 'ask': names no sources: say which of the guide's sources this rests on",
        f"error: {mismatch}", f"error: {no_record}",
        "error: node 'plug': **Unplug**; its sources (tiny-article) do not hold it: add it to the facts record of "
        "the source that says it, name that source, or reword",
    ]
    assert [(p.level, p.node, p.message[:30]) for p in facts.authored(check(doc), found)] == [
        ("warning", None, mismatch[:30]), ("warning", None, no_record[:30]), ("warning", "plug", "**Unplug**; its sources (tiny-")]


def test_where_each_kind_of_record_lives():
    assert facts.record_file(Source(**ARTICLE)) == "github/Expensify/App/docs/articles/tiny/NS9999@0123456789ab.yaml"
    assert facts.record_file(Source(seed="004_b6b800c8b2eaa7d2.txt")) == "seeds/004_b6b800c8b2eaa7d2.yaml"
    page = Source(url="https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1534941088.html")
    assert facts.record_file(page) == "web/docs.oracle.com/section_1534941088.yaml"
    assert facts.record_file(Source(url="https://help.bill.com/hc/en-us/articles/360007172671-Sync/")) == \
        "web/help.bill.com/360007172671-Sync.yaml"


def test_a_broken_record_is_named(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.yaml").write_text("terms: [x]\n")
    (tmp_path / "seeds" / "b.yaml").write_text("source: {seed: b.txt}\npermissions: ['Accounts at Full']\n")
    (tmp_path / "everyday.yaml").write_text("words: [Save]\n")
    with pytest.raises(facts.FactsError) as caught:
        facts.load(tmp_path)
    text = "\n".join(caught.value.problems)
    assert "seeds/a.yaml: needs 'source'" in text and "seeds/b.yaml: permissions must read" in text
    assert "everyday.yaml: needs 'words: [{word, why}]'" in text


def test_check_guides_fails_ns0565_as_shipped_and_passes_a_guide_its_records_hold(tmp_path):
    from django.core.management import CommandError

    from .test_commands import run

    with pytest.raises(CommandError, match="1 of 1 document"):
        run("check_guides", str(HERE / "ns0565-before-issue-21.yaml"), "--facts", str(HERE / "facts"))
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(small_document()))
    write_facts(tmp_path / "facts", terms=["Plug"])
    assert run("check_guides", str(path), "--facts", str(tmp_path / "facts")) == f"{path}: no problems\n"
    (tmp_path / "facts" / "everyday.yaml").write_text("words: [Save]\n")
    with pytest.raises(CommandError, match="everyday.yaml: needs 'words"):
        run("check_guides", str(path), "--facts", str(tmp_path / "facts"))
