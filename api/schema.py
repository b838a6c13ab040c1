"""The OpenAPI schema (drf-spectacular): every operation documents the problems it may answer with, so
responses can be checked against it (tests/api/test_schemathesis.py)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from .models import Scope

from .problems import PROBLEM_JSON, ProblemSerializer

PROBLEMS = {
    "400": "The request has errors: `errors` names each field and says what to change",
    "401": "No valid bearer token: get one at /api/v1/oauth/token/",
    "403": "This client may not use this operation (a scope it was not given)",
    "404": "Nothing with that reference that this client may see",
    "406": "The Accept header asks for a form this operation cannot give",
    "415": "The body is not in a form this operation reads",
    "429": "Too many requests from this client: wait the seconds in Retry-After",
}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        statuses = dict(PROBLEMS)
        if self.method in ("GET", "DELETE", "HEAD") :
            statuses.pop("415")
        if self.method == "POST" and getattr(self.view, "idempotent", False):
            statuses["422"] = "The Idempotency-Key was used before with another request body"
        for status, description in statuses.items():
            if status not in responses:
                response = self._get_response_for_code(ProblemSerializer, status, media_types=[PROBLEM_JSON])
                response["description"] = description
                if status == "429":
                    response["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                           "description": "Seconds to wait"}}
                responses[status] = response
        return responses


class ClientCredentialsScheme(OpenApiAuthenticationExtension):
    """Bearer tokens from the client credentials grant; each operation names the scope it needs."""

    target_class = "api.authentication.ClientTokenAuthentication"
    name = "clientCredentials"

    def get_security_definition(self, auto_schema):
        return {"type": "oauth2", "flows": {"clientCredentials": {
            "tokenUrl": "/api/v1/oauth/token/", "scopes": {s.value: s.label for s in Scope}}}}

    def get_security_requirement(self, auto_schema):
        scope = getattr(auto_schema.view, "scope", None)
        if auto_schema.method == "POST" and getattr(auto_schema.view, "idempotent", False):
            scope = Scope.REFER
        return {self.name: [str(scope)] if scope else []}
