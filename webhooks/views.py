"""An agency administrator's webhook pages. Thin: an endpoint is fetched through webhooks.selectors (404 for
anyone who does not administer its agency), a form is bound, one service is called."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from agencies.access import role_required
from agencies.models import Agency, Role
from config.forms import apply_service_errors

from . import selectors, services
from .forms import EndpointForm
from .models import EVENTS

_admins_only = role_required(selectors.may_manage_webhooks, Role.ADMINISTRATOR)
_SECRET_KEY = "webhook_secret_{}"


def _endpoint(request, pk):
    endpoint = selectors.endpoint_get(request.user, pk)
    if endpoint is None:
        raise Http404("No such endpoint")
    return endpoint


def _agencies(user):
    return list(Agency.objects.filter(pk__in=selectors.administered_agency_ids(user)).order_by("name"))


@_admins_only
def endpoint_list(request):
    return render(request, "webhooks/endpoint_list.html", {"endpoints": list(selectors.endpoints_for(request.user)),
                                                           "events": EVENTS})


@require_http_methods(["GET", "POST"])
@_admins_only
def endpoint_create(request):
    agencies = _agencies(request.user)
    form = EndpointForm(request.POST if request.method == "POST" else None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency = next(a for a in agencies if a.pk == data["agency"])
        try:
            endpoint, secret = services.endpoint_create(actor=request.user, agency=agency, url=data["url"],
                                                        events=data["events"], description=data["description"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            # Shown once, on the endpoint's next page view: kept in the session only until then.
            request.session[_SECRET_KEY.format(endpoint.pk)] = secret
            messages.success(request, "Endpoint registered. Copy its signing secret now: it is shown only once.")
            return redirect("webhooks:endpoint_detail", pk=endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": None})


def endpoint_detail(request, pk):
    endpoint = _endpoint(request, pk)
    secret = request.session.pop(_SECRET_KEY.format(endpoint.pk), None)
    return render(request, "webhooks/endpoint_detail.html", {
        "endpoint": endpoint, "secret": secret, "deliveries": selectors.deliveries_of(endpoint), "events": EVENTS,
    })


@require_http_methods(["GET", "POST"])
def endpoint_edit(request, pk):
    endpoint = _endpoint(request, pk)
    agencies = [endpoint.agency]
    initial = {"agency": endpoint.agency_id, "url": endpoint.url, "description": endpoint.description,
               "events": endpoint.events}
    form = EndpointForm(request.POST if request.method == "POST" else None, agencies=agencies, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.endpoint_update(actor=request.user, endpoint=endpoint, url=data["url"], events=data["events"],
                                     description=data["description"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Endpoint changed.")
            return redirect("webhooks:endpoint_detail", pk=endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint})


def _act(request, endpoint, action, success: str):
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("webhooks:endpoint_detail", pk=endpoint.pk)


@require_POST
def endpoint_pause(request, pk):
    endpoint = _endpoint(request, pk)
    return _act(request, endpoint, lambda: services.endpoint_pause(actor=request.user, endpoint=endpoint),
                "Endpoint paused. Events are kept and sent when you resume it.")


@require_POST
def endpoint_resume(request, pk):
    endpoint = _endpoint(request, pk)
    return _act(request, endpoint, lambda: services.endpoint_resume(actor=request.user, endpoint=endpoint),
                "Endpoint resumed. Events held while it was paused are being sent.")


@require_http_methods(["GET", "POST"])
def endpoint_remove(request, pk):
    endpoint = _endpoint(request, pk)
    if request.method == "POST":
        services.endpoint_remove(actor=request.user, endpoint=endpoint)
        messages.success(request, "Endpoint removed. Nothing more will be sent to it.")
        return redirect("webhooks:endpoint_list")
    return render(request, "webhooks/endpoint_remove.html", {"endpoint": endpoint})


@require_POST
def delivery_replay(request, pk, delivery_pk):
    endpoint = _endpoint(request, pk)
    delivery = endpoint.deliveries.filter(pk=delivery_pk).first()
    if delivery is None:
        raise Http404("No such delivery")
    return _act(request, endpoint, lambda: services.delivery_replay(actor=request.user, delivery=delivery),
                f"Event {delivery.event.type} for {delivery.event.reference} is being sent again.")
