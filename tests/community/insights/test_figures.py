"""Every figure of a known month, exactly (tests/factories.py,
make_insights_dataset: 23 March to 12 April 2026, across the spring clock
change and Easter), under a frozen clock; the autumn clock change; and
another pathway's rows never counted."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from community.insights.figures import figures_for
from community.insights.periods import between
from community.insights.tables import sections
from tests.factories import _at, make_insights_dataset, make_member, make_wall_post

NOW = datetime(2026, 4, 13, 10, 0, tzinfo=UTC)
PERIOD = (date(2026, 3, 23), date(2026, 4, 12))
FEWER = "fewer than 5"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def measured(frozen, pathway, other_pathway):
    make_insights_dataset(pathway)
    make_insights_dataset(other_pathway)  # never counted in `pathway`'s
    figures = figures_for(pathway, between(*PERIOD), NOW)
    return {t.key: t for s in sections(figures) for t in s.tables}, figures


def column(table, heading):
    index = table.columns.index(heading) - 1
    return {label: cells[index].text for label, cells in table.rows}


def test_members_by_role(measured):
    tables, _f = measured
    members = tables["members"]
    assert column(members, "Members") == {
        "Member": "11",
        "Relative or carer": FEWER,
        "Peer supporter": FEWER,
        "Clinician": FEWER,
        "Service lead": FEWER,
        "Everyone": "16",
    }
    assert column(members, "New in the period") == {
        "Member": "5",
        "Relative or carer": "0",
        "Peer supporter": "0",
        "Clinician": "0",
        "Service lead": "0",
        "Everyone": "5",
    }
    assert column(members, "Active in the last 7 days")["Member"] == FEWER
    assert column(members, "Active in the last 7 days")["Everyone"] == FEWER
    assert column(members, "Active in the last 30 days") == {
        "Member": "11",
        "Relative or carer": "0",
        "Peer supporter": FEWER,
        "Clinician": FEWER,
        "Service lead": FEWER,
        "Everyone": "14",
    }


def test_members_raw_counts_before_suppression(measured):
    _tables, f = measured
    assert (f.members["member"].active_7, f.members["peer"].active_30) == (2, 1)


def test_time_with_the_pathway(measured):
    tables, _f = measured
    assert column(tables["time_with_pathway"], "Members and carers") == {
        "Under a month": "5",
        "1 to 3 months": FEWER,
        "3 to 6 months": "6",
        "6 to 12 months": "0",
        "A year or more": "0",
    }


def test_activity_by_kind_and_out_of_hours_across_the_spring_clock_change(measured):
    tables, f = measured
    activity = tables["activity"]
    assert column(activity, "Posts and messages") == {
        "Forum topics": "6",
        "Forum replies": "9",
        "Comments on blogs and videos": "0",
        "Wall messages": "5",
        "Presents": FEWER,
        "Chat messages": "5",
        "Support chat messages": FEWER,
        "All": "28",
    }
    # 08:30 UTC is out of hours on Friday (GMT) and in hours on Monday (BST);
    # 16:30 UTC the other way round; 17:00 and Good Friday are out.
    assert f.out_of_hours == {
        "topic": 3,
        "reply": 4,
        "comment": 0,
        "wall": 5,
        "present": 0,
        "chat": 5,
        "support": 2,
    }
    # A share would tell a count that is suppressed: it is suppressed too.
    assert column(activity, "Share out of office hours") == {
        "Forum topics": FEWER,
        "Forum replies": FEWER,
        "Comments on blogs and videos": "–",
        "Wall messages": "100%",
        "Presents": FEWER,
        "Chat messages": "100%",
        "Support chat messages": FEWER,
        "All": "68%",
    }


def test_activity_by_week(measured):
    tables, _f = measured
    weeks = tables["weeks"]
    assert [label for label, _cells in weeks.rows] == [
        "23 Mar 2026",
        "30 Mar 2026",
        "6 Apr 2026",
    ]
    assert column(weeks, "Posts and messages") == {
        "23 Mar 2026": "18",
        "30 Mar 2026": "7",
        "6 Apr 2026": FEWER,
    }
    assert column(weeks, "Out of office hours") == {
        "23 Mar 2026": "14",
        "30 Mar 2026": "5",
        "6 Apr 2026": "0",
    }
    assert column(weeks, "Share out of office hours") == {
        "23 Mar 2026": "78%",
        "30 Mar 2026": "71%",
        "6 Apr 2026": FEWER,
    }
    assert column(weeks, "New members") == {
        "23 Mar 2026": "5",
        "30 Mar 2026": "0",
        "6 Apr 2026": "0",
    }


def test_time_to_first_reply(measured):
    tables, f = measured
    replies = tables["first_reply"]
    assert column(replies, "Topics") == {
        "Another member": FEWER,
        "Staff": FEWER,
        "Anyone": "5",
    }
    assert column(replies, "Median (hours)")["Anyone"] == "1"
    assert column(replies, "90th percentile (hours)")["Anyone"] == "3"
    assert column(replies, "Median (hours)")["Staff"] == FEWER
    assert sorted(f.first_reply_members.seconds) == [1800, 3600, 7200, 14400]
    assert sorted(f.first_reply_staff.seconds) == [3600, 7200, 10800]
    assert column(tables["topics"], "Number") == {
        "Opened in the period": "6",
        "Still without a reply from anyone else": FEWER,
    }
    assert f.unanswered == 1


def test_support_conversations(measured):
    tables, _f = measured
    assert column(tables["support"], "Number or minutes") == {
        "Asked for in the period": "6",
        "Picked up by staff": "5",
        "Not picked up": FEWER,
        "Median wait (minutes)": "30",
        "90th percentile wait (minutes)": "50",
    }


def test_moderation(measured):
    tables, _f = measured
    assert column(tables["moderation"], "Number or hours") == {
        "Waiting in the queue now": "6",
        "Median time waiting so far (hours)": "3.5",
        "Longest time waiting so far (hours)": "456",
        # Six held, and one held then reported before it was approved
        # (the case's was_held: the old rule missed it).
        "Posts held for a moderator in the period": "7",
        "Held posts decided": "5",
        "Median time to a decision (hours)": "3",
        "90th percentile time to a decision (hours)": "5",
    }


def test_reports_alerts_escalations(measured):
    tables, f = measured
    assert column(tables["reports"], "Reports") == {
        "Kept as it was": FEWER,
        "Hidden": "5",
        "Edited, then shown": "0",
        "Waiting for a decision": "0",
        "All reports": "7",
    }
    alerts = tables["alerts"]
    assert column(alerts, "Alerts") == {
        "Urgent": "5",
        "Alert": FEWER,
        "For review": "0",
    }
    assert column(alerts, "Not yet acknowledged") == {
        "Urgent": "0",
        "Alert": FEWER,
        "For review": "0",
    }
    assert column(alerts, "Median time to acknowledge (minutes)") == {
        "Urgent": "6",
        "Alert": "–",
        "For review": "–",
    }
    assert (
        column(alerts, "90th percentile time to acknowledge (minutes)")["Urgent"]
        == "10"
    )
    assert (f.escalated, f.to_leads, f.review_opened, f.review_open_now) == (2, 1, 0, 0)
    assert column(tables["escalation"], "Number") == {
        "Alerts passed along the rota": FEWER,
        "Alerts that reached the service leads": FEWER,
        "Posts for review opened in the period": "0",
        "Posts for review waiting now": "0",
    }


def test_the_autumn_clock_change(frozen, pathway):
    """Sunday 25 October 2026, 02:00 BST becomes 01:00 GMT: 09:00 and 17:00
    are 08:00 and 16:00 UTC the Friday before, 09:00 and 17:00 UTC the
    Monday after; both 01:30s of the Sunday are out of hours."""
    author, owner = make_member(pathway), make_member(pathway)
    moments = {
        "2026-10-23 07:59": False,  # 08:59 BST
        "2026-10-23 08:00": True,  # 09:00 BST
        "2026-10-23 15:59": True,  # 16:59 BST
        "2026-10-23 16:00": False,  # 17:00 BST
        "2026-10-25 00:30": False,  # 01:30 BST
        "2026-10-25 01:30": False,  # 01:30 GMT
        "2026-10-26 08:59": False,  # 08:59 GMT
        "2026-10-26 09:00": True,  # 09:00 GMT
        "2026-10-26 16:59": True,  # 16:59 GMT
        "2026-10-26 17:00": False,  # 17:00 GMT
    }
    for when in moments:
        make_wall_post(author, owner, pathway, "W", created_at=_at(when))
    with time_machine.travel(datetime(2026, 11, 2, 12, tzinfo=NOW.tzinfo)):
        f = figures_for(pathway, between(date(2026, 10, 19), date(2026, 11, 1)), NOW)
    assert f.activity["wall"] == 10
    assert f.out_of_hours["wall"] == 6 == list(moments.values()).count(False)
    assert [(w.start, w.activity, w.out_of_hours) for w in f.weeks] == [
        (date(2026, 10, 19), 6, 4),
        (date(2026, 10, 26), 4, 2),
    ]


def test_a_period_outside_the_data_counts_nothing(frozen, pathway):
    make_insights_dataset(pathway)
    f = figures_for(pathway, between(date(2026, 1, 1), date(2026, 1, 7)), NOW)
    assert sum(f.activity.values()) == 0
    assert f.topics == 0
    assert f.weeks[0].start == date(2025, 12, 29)
