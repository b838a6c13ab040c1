"""The administrator's webhook pages: https only, the secret shown once, pausing, resuming and replaying; nobody
else reaches them (another agency's administrator gets 404 for an endpoint, other roles are refused the list)."""

from __future__ import annotations

import pytest

from webhooks import services
from webhooks.events import event_add
from webhooks.models import Delivery, DeliveryStatus, Endpoint, EndpointStatus

pytestmark = pytest.mark.django_db

ALL = ["referral.acknowledged", "case.shared"]


def _post_new(client, **data):
    return client.post("/webhooks/new/", {"url": "https://a.example.org/hooks", "events": ALL, **data})


@pytest.mark.parametrize("url", ["http://a.example.org/hooks", "ftp://a.example.org/hooks", "a.example.org/hooks",
                                 "javascript:alert(1)"])
def test_only_https_addresses_are_accepted_with_a_clear_message(login, agency_a_admin, agency_a, url):
    client = login(agency_a_admin)
    response = _post_new(client, agency=agency_a.pk, url=url)
    assert response.status_code == 200
    assert "The address must start with https://" in response.content.decode()
    assert not Endpoint.objects.exists()
    assert url in response.content.decode() or "javascript" in url, "what was typed is kept"


@pytest.mark.parametrize("url", ["https://exa mple.org/hooks", "https://", "https:///hooks"])
def test_an_address_that_is_not_whole_is_refused(login, agency_a_admin, agency_a, url):
    response = _post_new(login(agency_a_admin), agency=agency_a.pk, url=url)
    assert "Enter a full address, like https://example.org/webhooks." in response.content.decode()
    assert not Endpoint.objects.exists()


def test_no_event_chosen_is_refused(login, agency_a_admin, agency_a):
    response = login(agency_a_admin).post("/webhooks/new/", {"agency": agency_a.pk, "url": "https://a.example.org/h"})
    assert "Choose at least one event to be told about." in response.content.decode()
    assert not Endpoint.objects.exists()


def test_the_secret_is_shown_once(login, agency_a_admin, agency_a):
    client = login(agency_a_admin)
    response = _post_new(client, agency=agency_a.pk)
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302 and response.url == f"/webhooks/{endpoint.pk}/"
    assert endpoint.agency == agency_a and endpoint.events == ALL and endpoint.created_by == agency_a_admin
    first = client.get(response.url).content.decode()
    assert endpoint.secret in first and endpoint.secret.startswith("whsec_")
    again = client.get(response.url).content.decode()
    assert endpoint.secret not in again and "Shown once" in again
    assert "secret" not in {f.name for f in Endpoint.history.model._meta.get_fields()}, "never in the history"


def test_the_list_shows_only_the_administrators_own_endpoints(login, agency_a_admin, agency_b_admin, agency_a,
                                                               agency_b):
    services.endpoint_create(actor=agency_a_admin, agency=agency_a, url="https://a.example.org/hooks", events=ALL)
    services.endpoint_create(actor=agency_b_admin, agency=agency_b, url="https://b.example.org/hooks", events=ALL)
    page = login(agency_a_admin).get("/webhooks/").content.decode()
    assert "a.example.org" in page and "b.example.org" not in page


def test_other_roles_are_refused_and_another_agency_gets_404(login, agency_a_admin, agency_b_admin, agency_a,
                                                              agency_a_manager, lado_officer):
    endpoint, _ = services.endpoint_create(actor=agency_a_admin, agency=agency_a, url="https://a.example.org/hooks",
                                           events=ALL)
    for person in (agency_a_manager, lado_officer):
        client = login(person)
        assert client.get("/webhooks/").status_code == 403
        assert client.get(f"/webhooks/{endpoint.pk}/").status_code == 404
    outsider = login(agency_b_admin)
    for url in (f"/webhooks/{endpoint.pk}/", f"/webhooks/{endpoint.pk}/edit/", f"/webhooks/{endpoint.pk}/remove/"):
        assert outsider.get(url).status_code == 404
    for url in (f"/webhooks/{endpoint.pk}/pause/", f"/webhooks/{endpoint.pk}/edit/", f"/webhooks/{endpoint.pk}/remove/"):
        assert outsider.post(url, {"url": "https://evil.example.org/", "events": ALL}).status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.url == "https://a.example.org/hooks" and endpoint.status == EndpointStatus.ACTIVE
    with pytest.raises(Exception, match="administrator"):
        services.endpoint_create(actor=agency_b_admin, agency=agency_a, url="https://b.example.org/", events=ALL)


def test_pause_resume_replay_and_remove_from_the_page(login, agency_a_admin, agency_a, referral):
    endpoint, _ = services.endpoint_create(actor=agency_a_admin, agency=agency_a, url="https://a.example.org/hooks",
                                           events=ALL)
    event_add(agency=agency_a, event="case.shared", reference=referral.reference, link="/cases/x/")
    delivery = Delivery.objects.get()
    client = login(agency_a_admin)
    page = client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "case.shared" in page and referral.reference in page

    assert client.post(f"/webhooks/{endpoint.pk}/pause/").status_code == 302
    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert endpoint.is_paused and delivery.status == DeliveryStatus.HELD
    refused = client.post(f"/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay/", follow=True)
    assert "Resume the endpoint before replaying" in refused.content.decode()

    assert client.post(f"/webhooks/{endpoint.pk}/resume/").status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.GIVEN_UP)
    assert client.post(f"/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay/").status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.replayed_by == agency_a_admin

    response = client.post(f"/webhooks/{endpoint.pk}/edit/", {"agency": agency_a.pk, "url": "http://a.example.org/",
                                                               "events": ALL})
    assert "must start with https://" in response.content.decode()
    assert client.post(f"/webhooks/{endpoint.pk}/edit/", {"agency": agency_a.pk, "url": "https://new.example.org/",
                                                          "events": ["case.closed"]}).status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events) == ("https://new.example.org/", ["case.closed"])
    assert client.post(f"/webhooks/{endpoint.pk}/remove/").status_code == 302
    assert not Endpoint.objects.exists()
