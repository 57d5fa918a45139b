import pytest

from clinsafe.risk.acceptance import DCB0129_LEVELS, AcceptanceLevel, AcceptancePolicy


def test_the_default_policy_is_dcb0129s_meaning_of_the_ratings():
    policy = AcceptancePolicy()
    assert [policy.level(r) for r in range(1, 6)] == [
        AcceptanceLevel.AS_ASSESSED,
        AcceptanceLevel.AS_ASSESSED,
        AcceptanceLevel.CSO,
        AcceptanceLevel.EXECUTIVE,
        AcceptanceLevel.NOT_ACCEPTABLE,
    ]
    assert policy.raised() == {}


def test_an_organisation_may_make_a_rating_stricter():
    policy = AcceptancePolicy.stricter({"2": "cso", 3: "executive"})
    assert policy.level(2) == AcceptanceLevel.CSO
    assert policy.level(3) == AcceptanceLevel.EXECUTIVE
    assert policy.raised() == {2: "cso", 3: "executive"}


def test_no_rating_may_be_made_looser_than_dcb0129():
    with pytest.raises(ValueError, match="Rating 4 cannot be made easier to accept"):
        AcceptancePolicy.stricter({4: "cso"})
    with pytest.raises(ValueError, match="Rating 5 cannot be made easier"):
        AcceptancePolicy({**DCB0129_LEVELS, 5: AcceptanceLevel.EXECUTIVE})


def test_unknown_ratings_and_levels_are_refused_by_name():
    with pytest.raises(ValueError, match="There is no rating 6"):
        AcceptancePolicy.stricter({6: "cso"})
    with pytest.raises(ValueError, match="'boss' is not an acceptance level; use one of"):
        AcceptancePolicy.stricter({3: "boss"})
