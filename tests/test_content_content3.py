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


# The other guides content3 mended


def test_ns0634_already_full_syncs_before_a_new_token():
    guide = GUIDES["ns0634"]
    assert walk(guide, ["full"]).node.slug == "sync-now"
    assert walk(guide, ["full", NOT_FIXED]).node.slug == "new-token"


def test_ns0669_classic_gets_no_sync_step_its_article_does_not_give():
    guide = GUIDES["ns0669"]
    for node in ("choose-vendor", "create-vendor"):
        assert not any("Sync" in text for text in step_texts(guide, node, "expensify-classic"))
        assert any("**Sync Now**" in text for text in step_texts(guide, node, "expensify-web"))


def test_ns0394_classic_syncs_with_the_button_its_article_names():
    guide = GUIDES["ns0394"]
    classic = " ".join(step_texts(guide, "create-ap", "expensify-classic"))
    assert "**Sync Now**" in classic and "**Sync**" not in classic
    assert walk(guide, ["unsure"]).node.slug == "select-ap"


def test_ns0728_unsure_about_oneworld_hands_off_rather_than_guessing():
    guide = GUIDES["ns0728"]
    labels = {c.label: c.next for c in guide.nodes["oneworld"].choices}
    assert labels["No, or I'm not sure"] == "escalate"


def test_no_guide_of_mine_adds_the_phrases_the_review_removed():
    removed = ["won't need to reconnect", "you don't need to reconnect", "Reconnecting isn't needed",
               "the token and the bundle are fine", "traffic jam", "close by themselves",
               "will know whether", "ask whoever looks after", "NetSuite can save the report again"]
    for slug in ("ns0394", "ns0416", "ns0430", "ns0445", "ns0469", "ns0499", "ns0510", "ns0521", "ns0538",
                 "ns0565", "ns0581", "ns0593", "ns0634", "ns0655", "ns0669", "ns0722", "ns0728"):
        text = " ".join(texts(GUIDES[slug]))
        assert [p for p in removed if p in text] == [], slug
