"""GOV.UK Notify's delivery receipts (its "callback"): POSTed JSON, one notification's status.

Notify sends `Authorization: Bearer <token>` with the token set in its Callbacks settings; we compare it with
NOTIFY_CALLBACK_TOKEN in constant time and answer 403 to anything else (and to everyone when it is not set).
The body names the notification (`id`, and `reference`: our delivery's id) and its `status`; the delivery sent
with that id is brought up to date (outbox.delivery.delivery_receipt). Repeating a receipt is harmless.
"""

import hmac
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .delivery import delivery_receipt
from .notify import _when


def _authorised(request) -> bool:
    token = settings.NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(value.strip().encode(), token.encode())


@login_not_required  # no session: the bearer token is its credential
@csrf_exempt  # called by GOV.UK Notify, with its bearer token, not by a browser
@require_POST
def notify_receipt(request):
    if not _authorised(request):
        return HttpResponseForbidden("Not allowed")
    try:
        receipt = json.loads(request.body or b"{}")
        reference, status = str(receipt["id"]), str(receipt["status"])
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest("Expected a JSON receipt with an id and a status")
    delivery = delivery_receipt(reference=reference, status=status,
                                at=_when(receipt.get("completed_at") or receipt.get("sent_at")))
    if delivery is None:
        # A status that says nothing new, or a notification we did not send: taken, so Notify does not retry.
        return HttpResponse(status=204)
    return JsonResponse({"delivery": delivery.pk, "status": delivery.status})
