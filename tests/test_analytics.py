import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from troubleshoot import analytics, publishing
from troubleshoot.models import Guide, Node, Run

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
KNOWN = [  # (answers, outcome, days ago)
    ("other", "left", 1),
    ("other/fixed", "fixed", 2),
    ("other/not-fixed", "not_fixed", 3),
    ("expensify-integration/fine", "escalated", 4),
    ("expensify-integration/restricted/fixed", "fixed", 5),
    ("other/fixed", "fixed", 90),  # outside the period
]


@pytest.fixture
def known_runs(shipped):
    guide = Guide.objects.get(slug="ns0565")
    for i, (answers, outcome, days) in enumerate(KNOWN):
        when = NOW - timedelta(days=days)
        Run.objects.create(key=f"k{i}", guide=guide, version=1, platform="expensify-web", answers=answers,
                           node="x", outcome=outcome, started_at=when, updated_at=when,
                           feedback="still failing" if outcome != "fixed" else "great")
    return guide


def period():
    return NOW - timedelta(days=30), NOW + timedelta(days=1)


def test_totals_over_a_period(known_runs):
    t = analytics.report("ns0565", *period()).totals
    assert (t.runs, t.fixed, t.escalated) == (5, 2, 1)
    assert (t.fixed_rate, t.escalation_rate) == (0.4, 0.2)


def test_each_question_counts_who_reached_and_who_answered(known_runs):
    rows = {n.slug: (n.reached, n.answered) for n in analytics.report("ns0565", *period()).questions()}
    assert rows == {"token-role": (5, 5), "global-permissions": (3, 2)}


def test_each_solution_counts_who_reached_it_and_whom_it_fixed(known_runs):
    rows = {n.slug: (n.reached, n.fixed, n.fixed_rate) for n in analytics.report("ns0565", *period()).solutions()}
    assert rows == {"assign-role": (3, 1, 1 / 3), "fix-global-permissions": (1, 1, 1.0), "sync-now": (1, 0, 0.0)}


def test_a_node_removed_later_still_counts_in_its_version(known_runs):
    guide = known_runs
    Node.objects.filter(guide=guide, slug="global-permissions").update(title="Renamed in version 2")
    Node.objects.filter(guide=guide, slug="global-permissions").get().choices.filter(
        slug__in=["restricted", "unsure"]).update(next=Node.objects.get(guide=guide, slug="sync-now"))
    Node.objects.filter(guide=guide, slug="fix-global-permissions").delete()
    publishing.publish(guide)
    Run.objects.create(key="v2", guide=guide, version=2, platform="expensify-web", answers="expensify-integration/restricted",
                       node="x", started_at=NOW, updated_at=NOW)
    result = analytics.report("ns0565", *period())
    assert {v: t.runs for v, t in result.versions.items()} == {1: 5, 2: 1}
    assert result.nodes["fix-global-permissions"].reached == 1  # from version 1, though version 2 has no such node
    assert result.nodes["global-permissions"].title == "Renamed in version 2"
    assert list(result.nodes)[-1] == "fix-global-permissions"
    assert analytics.report("ns0565", *period(), version=2).totals.runs == 1


def test_latest_feedback_is_from_runs_not_fixed(known_runs):
    notes = analytics.latest_feedback("ns0565", *period())
    assert [n["outcome"] for n in notes] == ["left", "not_fixed", "escalated"]


@pytest.fixture
def editor(known_runs, django_user_model) -> Client:
    user = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="guide editors"))
    client = Client()
    client.force_login(user)
    return client


def page_url(guide) -> str:
    return f"/admin/troubleshoot/guide/{guide.pk}/analytics/?start=2026-10-22&end=2026-11-20"


def test_analytics_page_shows_the_tables(editor, known_runs):
    page = editor.get(page_url(known_runs)).content.decode()
    assert "<strong>5</strong> runs" in page and "<strong>2</strong> fixed (40%)" in page
    assert "<td>assign-role</td>" in page and "still failing" in page


def test_csv_matches_the_table(editor, known_runs):
    response = editor.get(page_url(known_runs) + "&csv=solutions")
    assert response["Content-Disposition"] == 'attachment; filename="ns0565-solutions.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    headers, table, _ = analytics.tables(analytics.report("ns0565", *period()))["solutions"]
    assert rows == [headers] + [[str(cell) for cell in row] for row in table]


def test_bad_dates_fall_back_to_the_last_30_days(editor, known_runs):
    response = editor.get(f"/admin/troubleshoot/guide/{known_runs.pk}/analytics/?start=nonsense&version=abc")
    assert response.status_code == 200
    assert "could not be read" in response.content.decode()


def test_analytics_needs_the_right_group(known_runs, django_user_model):
    staff = django_user_model.objects.create_user("s", password="pw", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get(page_url(known_runs)).status_code == 403
    agent = django_user_model.objects.create_user("a", password="pw")
    agent.groups.add(Group.objects.get(name="support agents"))
    client.force_login(agent)
    assert client.get(page_url(known_runs)).status_code == 302  # not staff: the admin asks to log in
    assert Client().get(page_url(known_runs)).status_code == 302


def test_the_page_says_its_period_and_the_trend_by_day(editor, known_runs):
    page = editor.get(page_url(known_runs)).content.decode()
    assert "from <strong>22 October 2026</strong> to\n  <strong>20 November 2026</strong>" in page
    assert "every version" in page and "Over time, by day" in page
    trend = analytics.tables(analytics.report("ns0565", *period()))["trend"][1]
    assert trend == [["2026-11-15", 1, 1, 100.0, 0, 0.0], ["2026-11-16", 1, 0, 0.0, 1, 100.0],
                     ["2026-11-17", 1, 0, 0.0, 0, 0.0], ["2026-11-18", 1, 1, 100.0, 0, 0.0],
                     ["2026-11-19", 1, 0, 0.0, 0, 0.0]]


def test_a_long_period_trends_by_week(known_runs):
    result = analytics.report("ns0565", NOW - timedelta(days=120), NOW + timedelta(days=1))
    assert result.by_week and sum(t.runs for t in result.periods.values()) == 6
    assert all(day.weekday() == 0 for day in result.periods)  # each week by its Monday
