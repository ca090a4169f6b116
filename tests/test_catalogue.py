"""The shipped catalogue as a whole: enough guides, each findable by every wording of its error."""

import re

import pytest

from troubleshoot.guide import CATEGORIES
from troubleshoot.matching import Matcher

from .conftest import shipped_guides

GUIDES = shipped_guides()
MATCHER = Matcher(GUIDES.values())
EXPENSIFY = {slug: g for slug, g in GUIDES.items() if any(s.repo == "Expensify/App" for s in g.sources)}
CURLY = str.maketrans({"'": "’", '"': "”"})
STRAIGHT = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def test_at_least_sixty_five_documented_codes_have_a_guide_written_from_their_articles():
    codes = {code for g in EXPENSIFY.values() for code in g.codes}
    assert len(codes) >= 65
    for guide in EXPENSIFY.values():
        for source in (s for s in guide.sources if s.kind == "github"):  # seeds and web pages have no path
            assert source.path.startswith("docs/articles/") and source.path.endswith(".md")
            assert re.fullmatch(r"[0-9a-f]{40}", source.commit), guide.slug
        assert any(code in s.path for s in guide.sources for code in guide.codes), guide.slug


def test_every_guide_has_a_kind_and_each_code_one_guide():
    assert all(g.category in CATEGORIES for g in GUIDES.values())
    codes = [code for g in GUIDES.values() for code in g.codes]
    assert len(codes) == len(set(codes))


def test_a_platform_is_the_same_in_every_guide_that_offers_it():
    seen = {}
    for guide in GUIDES.values():
        for p in guide.platforms:
            assert seen.setdefault(p.slug, (p.name, p.support, p.hint)) == (p.name, p.support, p.hint), guide.slug


def test_expensify_guides_offer_exactly_the_platforms_their_articles_cover():
    for guide in EXPENSIFY.values():
        offered = {p.slug for p in guide.platforms}
        classic = any("/expensify-classic/" in s.path for s in guide.sources)
        new = any("/new-expensify/" in s.path for s in guide.sources)
        assert ("expensify-classic" in offered) == classic, guide.slug
        assert {"expensify-web", "expensify-mobile"} <= offered if new else not offered & {"expensify-web", "expensify-mobile"}


def wordings(guide):
    """The error as the apps print it, and each message with every prefix the articles use."""
    yield guide.error
    for code in guide.codes:
        yield code
        yield f"  {code.lower()} "
        for message in guide.messages:
            kind = "Export Error" if guide.category == "export" else "Sync Error"
            yield f"{code} {kind}: {message}"
            yield f"{code}: {message}"
            yield f"ExpensiError {code}: {message}"
            yield f"{code}: {message}".translate(CURLY)
            yield f"{code}: {message}".translate(STRAIGHT)


@pytest.mark.parametrize("slug", sorted(GUIDES))
def test_every_wording_with_its_code_opens_its_guide(slug):
    for text in wordings(GUIDES[slug]):
        assert MATCHER.match(text).guide is GUIDES[slug], text


@pytest.mark.parametrize("slug", sorted(GUIDES))
def test_a_message_without_its_code_opens_its_guide_or_offers_it_never_another(slug):
    guide = GUIDES[slug]
    for message in guide.messages:
        for text in (message, message.translate(CURLY), message.translate(STRAIGHT), f"Export failed.\n{message}\n"):
            found = MATCHER.match(text)
            assert found.guide is guide or (found.guide is None and guide in found.choices), (text, found.guide)
