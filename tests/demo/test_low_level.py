"""The demo's low-level concerns give the LADO service its prompt about one teaching assistant, once."""

import pytest

from demo.low_level import low_level_story
from lowlevel.models import LowLevelConcern
from lowlevel.selectors import prompts_for

pytestmark = pytest.mark.django_db


def test_the_demo_concerns_prompt_about_one_person_and_are_told_once(agency_a_manager, agency_a, agency_b_outsider,
                                                                      agency_b, lado_officer):
    kwargs = {"managers": {"riverside": agency_a_manager, "hilltop": agency_b_outsider},
              "agencies": {"riverside": agency_a, "hilltop": agency_b}}
    assert "4 added" in low_level_story(**kwargs)
    [prompt] = prompts_for(lado_officer)
    assert prompt.name == "Jordan Pike" and prompt.concerns == 3
    assert prompt.reasons == ("3 or more concerns within 12 months", "concerns from 2 employers")
    assert "already exist" in low_level_story(**kwargs)
    assert LowLevelConcern.objects.count() == 4
