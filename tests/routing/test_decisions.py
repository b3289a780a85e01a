"""The ranking itself, over candidates already read: who is eligible, and in what order
each strategy offers them the case."""

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ombuds.routing.decisions import Candidate, decide, reason_text
from ombuds.routing.models import Strategy
from ombuds.routing.skills import Skill, covers, has_all

NL, EN, EMAIL, CHAT = (
    Skill("language", "nl"),
    Skill("language", "en"),
    Skill("channel", "email"),
    Skill("channel", "chat"),
)
T0 = datetime(2026, 5, 1, 9, tzinfo=UTC)


def person(user_id, *, load=0, capacity=5, skills=(NL,), last=None):
    return Candidate(
        user_id=user_id,
        name=f"A{user_id}",
        capacity=capacity,
        load=load,
        skills=frozenset(skills),
        profile_id=user_id,
        last_assigned_at=last,
    )


def test_least_loaded_picks_the_smallest_share_of_capacity():
    # Given 3 of 6 (half full) and 2 of 3 (two thirds full), half full wins
    decision = decide(
        [person(1, load=2, capacity=3), person(2, load=3, capacity=6)],
        required=(NL,),
        strategy=Strategy.LEAST_LOADED,
    )
    assert decision.chosen.user_id == 2
    assert reason_text(decision, decision.chosen) == "least loaded: 3 of 6 active, speaks nl"


def test_least_loaded_ties_go_to_whoever_waited_longest_for_a_case():
    decision = decide(
        [person(1, load=1, last=T0), person(2, load=1, last=T0 - timedelta(hours=1))],
        required=(),
        strategy=Strategy.LEAST_LOADED,
    )
    assert [c.user_id for c in decision.ranked] == [2, 1]


def test_only_agents_with_every_skill_and_room_are_eligible():
    decision = decide(
        [
            person(1, skills=(NL,)),  # no email
            person(2, skills=(NL, EMAIL), load=5, capacity=5),  # full
            person(3, skills=(NL, EMAIL), capacity=0),  # takes nothing
            person(4, skills=(NL, EMAIL, CHAT), load=4),
        ],
        required=(NL, EMAIL),
        strategy=Strategy.LEAST_LOADED,
    )
    assert [c.user_id for c in decision.ranked] == [4]
    assert decision.considered[0].missing(decision.required) == (EMAIL,)


def test_nobody_eligible_says_why():
    assert decide([], required=(NL,), strategy="least_loaded").why_nobody() == "nobody_online"
    no_dutch = decide([person(1, skills=(EN,))], required=(NL,), strategy="least_loaded")
    assert no_dutch.chosen is None and no_dutch.why_nobody() == "nobody_skilled"
    full = decide([person(1, load=5)], required=(NL,), strategy="least_loaded")
    assert full.why_nobody() == "everyone_full"


def test_round_robin_takes_the_next_turn_after_the_last_one_and_wraps():
    people = [person(3), person(7), person(9)]
    turns = []
    last = None
    for _ in range(5):
        chosen = decide(
            people, required=(), strategy=Strategy.ROUND_ROBIN, last_assignee_id=last
        ).chosen
        turns.append(chosen.user_id)
        last = chosen.user_id
    assert turns == [3, 7, 9, 3, 7]


def test_round_robin_skips_a_full_agent_without_losing_the_order():
    people = [person(3), person(7, load=5), person(9)]
    chosen = decide(people, required=(), strategy=Strategy.ROUND_ROBIN, last_assignee_id=3)
    assert chosen.chosen.user_id == 9


def test_a_language_skill_covers_its_regional_variants():
    assert covers(frozenset({NL}), Skill("language", "nl-be"))
    assert not covers(frozenset({Skill("language", "nl-be")}), NL)
    assert not covers(frozenset({Skill("topic", "nl")}), Skill("topic", "nl-be"))
    assert has_all(frozenset({NL, EMAIL}), [NL, EMAIL])


SKILLS = [NL, EN, EMAIL, CHAT, Skill("topic", "refund")]
candidates = st.lists(
    st.builds(
        person,
        st.integers(1, 40),
        load=st.integers(0, 8),
        capacity=st.integers(0, 6),
        skills=st.sets(st.sampled_from(SKILLS)),
        last=st.none() | st.sampled_from([T0, T0 + timedelta(minutes=5)]),
    ),
    max_size=12,
    unique_by=lambda c: c.user_id,
)


@settings(max_examples=300)
@given(
    candidates,
    st.sets(st.sampled_from(SKILLS), max_size=3),
    st.sampled_from(Strategy.values),
    st.none() | st.integers(0, 41),
)
def test_the_chosen_agent_always_has_room_and_every_skill(people, needs, strategy, last):
    required = tuple(sorted(needs))
    decision = decide(people, required=required, strategy=strategy, last_assignee_id=last)
    eligible = [
        c for c in people if c.capacity > 0 and c.load < c.capacity and has_all(c.skills, required)
    ]
    assert sorted(c.user_id for c in decision.ranked) == sorted(c.user_id for c in eligible)
    chosen = decision.chosen
    if not eligible:
        assert chosen is None
        return
    assert chosen.load < chosen.capacity
    assert has_all(chosen.skills, required)
    if strategy == Strategy.LEAST_LOADED:
        assert Fraction(chosen.load, chosen.capacity) == min(
            Fraction(c.load, c.capacity) for c in eligible
        )
    else:
        later = sorted(c.user_id for c in eligible if last is None or c.user_id > last)
        expected = later[0] if later else min(c.user_id for c in eligible)
        assert chosen.user_id == expected
