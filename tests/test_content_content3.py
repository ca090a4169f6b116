"""The cases issue 21 names for the guides content3 mended, each held where a walk can show it."""

from troubleshoot.engine import walk
from troubleshoot.guide import NOT_FIXED

from .conftest import shipped_guides

GUIDES = shipped_guides()


def texts(guide) -> list[str]:
    """Everything a user can read in a guide: titles, help, answers, every platform's instructions."""
    out = [guide.summary]
    for node in guide.nodes.values():
        out += [node.title, node.help] + [c.label for c in node.choices] + [i.label for i in node.items]
        out += [line.text for line in guide.expanded(node)]
    return out


def step_texts(guide, node_slug: str, platform: str) -> list[str]:
    return [line.text for line in guide.instructions_for(guide.nodes[node_slug], platform)]


# ns0565


def test_ns0565_no_longer_asks_about_an_accounts_permission_its_articles_do_not_name():
    guide = GUIDES["ns0565"]
    assert not any("Accounts" in text for text in texts(guide))
    assert all("NS0384" not in s.path for s in guide.sources)  # so it may not rest on NS0384's table


def test_ns0565_all_clear_goes_to_the_plain_sync_before_any_new_token():
    guide = GUIDES["ns0565"]
    sync = walk(guide, ["expensify-integration", "fine"]).node
    assert sync.kind == "solution" and "token" not in sync.title.lower()
    assert "typically" in sync.help and "reconnect" in sync.help
    assert any("**Sync Now**" in text for text in step_texts(guide, sync.slug, "expensify-web"))
    assert any("**Sync**" in text for text in step_texts(guide, sync.slug, "expensify-classic"))
    assert walk(guide, ["expensify-integration", "fine", NOT_FIXED]).node.slug == "new-token"


def test_ns0565_new_token_steps_name_no_fields_the_articles_do_not():
    guide = GUIDES["ns0565"]
    for platform in ("expensify-web", "expensify-mobile", "expensify-classic"):
        steps = " ".join(step_texts(guide, "new-token", platform))
        assert "Token ID" not in steps and "Token Secret" not in steps
        assert "Update the credentials in the Workspace's NetSuite connection" in steps


def test_ns0565_someone_unsure_is_led_to_the_articles_next_step():
    guide = GUIDES["ns0565"]
    assert walk(guide, ["unsure"]).node.slug == "assign-role"
    assert walk(guide, ["expensify-integration", "unsure"]).node.slug == "fix-global-permissions"


# ns0510


def test_ns0510_adds_no_explanation_or_certainty():
    text = " ".join(texts(GUIDES["ns0510"]))
    assert "If NetSuite offers an update" not in text
    assert "won't need to reconnect" not in text and "not needed" not in text
    assert "probably" not in text
    assert "typically" in GUIDES["ns0510"].summary


def test_ns0510_unsure_about_the_bundle_starts_with_the_bundle_update():
    guide = GUIDES["ns0510"]
    assert walk(guide, ["unsure"]).node.slug == "update-bundle"
    assert walk(guide, ["unsure", NOT_FIXED]).node.slug == "token-permissions"
