"""check_sources against a real git repository the test builds: an article changed, one renamed, one deleted."""

import html
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError

from troubleshoot import document, drafts, publishing
from troubleshoot.document import check
from troubleshoot.models import Guide, Source
from troubleshoot.source_checks import SourceCheck

from .conftest import small_document
from .test_commands import run

ARTICLES = "docs/articles/netsuite"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def articles(tmp_path) -> dict:
    """A repository like Expensify/App's: four articles at the first commit; then one changed, one renamed
    (moved to another folder, unchanged), one deleted, one left alone."""
    repo = tmp_path / "App"
    (repo / ARTICLES / "Sync-Errors").mkdir(parents=True)
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "config", "user.email", "test@example.com")
    git(repo, "config", "user.name", "Test")
    git(repo, "config", "uploadpack.allowFilter", "true")  # so a file:// clone can be partial
    (repo / "README.md").write_text("Not an article.\n")
    (repo / "src").mkdir()
    (repo / "src" / "App.js").write_text("// the app's code, which check_sources never needs\n")
    texts = {name: f"# {name}\n\nClick **Sync Now** in **Accounting**.\n\nStep {name} line two.\n" for name in
             ("NS0001", "NS0002", "NS0003", "NS0004")}
    for name, text in texts.items():
        (repo / ARTICLES / "Sync-Errors" / f"{name}-Sync-Error.md").write_text(text)
    first = commit(repo, "Articles")
    folder = repo / ARTICLES / "Sync-Errors"
    (folder / "NS0001-Sync-Error.md").write_text(texts["NS0001"].replace("Sync Now", "Sync now from the menu"))
    (repo / ARTICLES / "Connection-errors").mkdir()
    git(repo, "mv", f"{ARTICLES}/Sync-Errors/NS0002-Sync-Error.md", f"{ARTICLES}/Connection-errors/NS0002-Sync-Error.md")
    (folder / "NS0003-Sync-Error.md").unlink()
    second = commit(repo, "Rewrite: NS0001 changed, NS0002 moved, NS0003 gone")
    return {"repo": repo, "first": first, "second": second}


def guide_citing(first: str) -> Guide:
    doc = small_document()
    doc["sources"] = [{"id": f"a{n}", "repo": "Expensify/App", "path": f"{ARTICLES}/Sync-Errors/NS000{n}-Sync-Error.md",
                       "commit": first} for n in range(1, 5)]
    doc["sources"] += [{"id": "seed", "seed": "004_b6b800c8b2eaa7d2.txt"},
                       {"id": "page", "url": "https://example.com/help/page.html", "title": "A page", "read": "2026-12-05"}]
    for n in doc["nodes"]:
        n["sources"] = ["a1"]
    return publishing.import_guide(check(doc), publish=True).row


def test_a_local_clone_reports_the_changed_moved_and_vanished_article_with_diffs(db, articles):
    row = guide_citing(articles["first"])
    out = run("check_sources", "--repository", str(articles["repo"]), "--guide", "tiny")
    first = articles["first"][:12]
    assert f"tiny: {ARTICLES}/Sync-Errors/NS0001-Sync-Error.md changed since {first}" in out
    assert f"tiny: {ARTICLES}/Sync-Errors/NS0002-Sync-Error.md moved to {ARTICLES}/Connection-errors/NS0002-Sync-Error.md " \
           f"since {first}" in out
    assert f"tiny: {ARTICLES}/Sync-Errors/NS0003-Sync-Error.md vanished since {first}" in out
    assert "NS0004" not in out.split("Comparing with")[1].split("Checked")[0]  # unchanged: not listed
    assert "    -Click **Sync Now** in **Accounting**." in out and "    +Click **Sync now from the menu** in **Accounting**." in out
    assert "Checked 4 article source(s) of 1 guide(s): 3 need a look." in out
    assert "Skipped 2 web-page and seed source(s): they are not in a repository." in out
    states = dict(SourceCheck.objects.filter(guide=row).values_list("path", "state"))
    assert sorted(states.values()) == ["changed", "moved", "same", "vanished"]
    moved = SourceCheck.objects.get(guide=row, state="moved")
    assert moved.new_path == f"{ARTICLES}/Connection-errors/NS0002-Sync-Error.md" and moved.head == articles["second"]
    with pytest.raises(CommandError, match="3 source"):
        run("check_sources", "--repository", str(articles["repo"]), "--guide", "tiny", "--fail-when-changed")


def test_a_url_is_cloned_partially_then_fetched_on_the_next_run(db, articles, tmp_path):
    guide_citing(articles["first"])
    url, clone = f"file://{articles['repo']}", tmp_path / "clone"
    out = run("check_sources", "--repository", url, "--repo-name", "Expensify/App", "--clone-into", str(clone), "--guide", "tiny")
    assert f"Cloned {url} partially into {clone} (only docs/articles checked out)." in out
    assert git(clone, "config", "remote.origin.partialclonefilter") == "blob:none"
    assert git(clone, "sparse-checkout", "list") == "docs/articles"
    assert not (clone / "src").exists()  # outside the articles' folders: never checked out
    assert "3 need a look" in out
    (articles["repo"] / ARTICLES / "Sync-Errors" / "NS0004-Sync-Error.md").write_text("# NS0004\n\nAll new.\n")
    third = commit(articles["repo"], "NS0004 rewritten")
    out = run("check_sources", "--repository", url, "--repo-name", "Expensify/App", "--clone-into", str(clone), "--guide", "tiny")
    assert f"Fetched {url} into {clone}. Comparing with {third[:12]}." in out
    assert f"tiny: {ARTICLES}/Sync-Errors/NS0004-Sync-Error.md changed since" in out and "4 need a look" in out


def test_a_commit_the_repository_does_not_have_is_said(db, articles):
    guide_citing("0" * 40)
    out = run("check_sources", "--repository", str(articles["repo"]), "--guide", "tiny")
    assert f"tiny: {ARTICLES}/Sync-Errors/NS0004-Sync-Error.md cannot be found at its pinned commit" in out


def test_a_repository_that_cannot_be_read_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read the articles' repository"):
        run("check_sources", "--repository", f"file://{tmp_path}/nothing-here", "--clone-into", str(tmp_path / "c"))


def test_the_admin_lists_flags_and_shows_diffs_and_a_publisher_records_the_new_commit(articles, publisher, editor):
    row = guide_citing(articles["first"])
    run("check_sources", "--repository", str(articles["repo"]), "--guide", "tiny")
    listing = publisher.get("/admin/troubleshoot/guide/?source_changed=yes").content.decode()
    assert "Source changed" in listing and f"/admin/troubleshoot/guide/{row.pk}/change/" in listing
    assert "1 result (" in listing  # only the guide whose source changed
    assert f"/admin/troubleshoot/guide/{row.pk}/change/" not in publisher.get(
        "/admin/troubleshoot/guide/?source_changed=no").content.decode()
    page = html.unescape(publisher.get(f"/admin/troubleshoot/guide/{row.pk}/change/").content.decode())
    assert "Sources changed since the draft's pinned commit" in page
    assert "+Click **Sync now from the menu** in **Accounting**." in page
    assert f"moved to <strong>{ARTICLES}/Connection-errors/NS0002-Sync-Error.md</strong>" in page
    assert page.count(">Checked against the new article</button>") == 2  # not for the vanished one
    assert "The article is gone" in page
    editors_page = html.unescape(editor.get(f"/admin/troubleshoot/guide/{row.pk}/change/").content.decode())
    assert "Checked against the new article</button>" not in editors_page
    moved = SourceCheck.objects.get(guide=row, state="moved")
    url = f"/admin/troubleshoot/guide/{row.pk}/sources/{moved.pk}/checked/"
    assert editor.post(url).status_code == 403
    assert publisher.get(url).status_code == 405  # a GET never changes anything
    assert publisher.post(url).status_code == 302
    source = Source.objects.get(guide=row, key="a2")
    assert (source.path, source.commit) == (f"{ARTICLES}/Connection-errors/NS0002-Sync-Error.md", articles["second"])
    assert drafts.state(Guide.objects.get(pk=row.pk)).unpublished
    changed = SourceCheck.objects.get(guide=row, state="changed")
    publisher.post(f"/admin/troubleshoot/guide/{row.pk}/sources/{changed.pk}/checked/")
    assert Source.objects.get(guide=row, key="a1").commit == articles["second"]
    page = html.unescape(publisher.get(f"/admin/troubleshoot/guide/{row.pk}/change/").content.decode())
    assert "Checked against the new article</button>" not in page and "The article is gone" in page
    guide = document.check(drafts.build(Guide.objects.get(pk=row.pk)))
    assert guide.sources[0].commit == articles["second"] and guide.nodes["ask"].sources == ("a1",)
