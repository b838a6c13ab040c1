"""When nothing matches, the results say so once: not a count of 0 for each group and "No … match" under each."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_nothing_found_is_said_once(login, lado_officer, referral):
    client = login(lado_officer)
    client.post(reverse("search:search"), {"q": "Quigley"})
    html = client.get(reverse("search:search") + "?results").content.decode()
    assert "Nothing you can see matches ‘Quigley’" in html
    assert "Referrals</a>: 0" not in html and "No referrals match." not in html
    assert "No cases match." not in html and "No meetings match." not in html

    # With a match in one group, the other groups still say they have none.
    client.post(reverse("search:search"), {"q": referral.reference[-5:]})
    html = client.get(reverse("search:search") + "?results").content.decode()
    assert referral.reference in html
    assert "Nothing you can see matches" not in html
    assert "No cases match." in html
