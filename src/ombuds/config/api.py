"""The REST API: one NinjaAPI, one error shape, routers per app.

Every answer that is not a success is `{"code", "message", "details"}`, whatever refused
the request: the domain (ApplicationError), the schema, the auth, the router or a bug.
"""

from __future__ import annotations

import json
import logging
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as ModelValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import re_path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.parser import Parser

from ombuds.automation.api import router as macros_router
from ombuds.chargebacks.api import router as chargebacks_router
from ombuds.conversations.api import router as cases_router
from ombuds.core.errors import ApplicationError
from ombuds.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from ombuds.core.idempotency import honour_idempotency_key, writes_in_one_transaction
from ombuds.ledger.api import router as ledger_router
from ombuds.marketplace.api import router as marketplace_router
from ombuds.routing.api import router as routing_router
from ombuds.sla.api import router as sla_router

logger = logging.getLogger("ombuds.api")


_ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "details"],
    "properties": {
        "code": {"type": "string", "examples": ["validation_error", "case_not_found"]},
        "message": {"type": "string"},
        "details": {},
    },
}
_IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": IDEMPOTENCY_HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "A retry with the same key and body gets the first answer back.",
}


def _error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details}


def _json_error(status: int, code: str, message: str, details: Any = None) -> HttpResponse:
    """An error answered outside an operation (unknown path, wrong method)."""
    return HttpResponse(
        json.dumps(_error_body(code, message, details)),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _nul_refused() -> ApplicationError:
    return ApplicationError(
        "invalid_characters", "Text must not contain NUL characters.", status=400
    )


def _refuse_constant(name: str):
    # json.loads accepts NaN and Infinity; no database JSON column does.
    raise ValueError(f"{name} is not JSON")


def _refuse_nul(value: Any) -> None:
    # Neither PostgreSQL text nor jsonb can store NUL; refuse it here rather than fail
    # at the database.
    if isinstance(value, str):
        if "\x00" in value:
            raise _nul_refused()
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key)
            _refuse_nul(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_nul(item)


class JsonOrMultipartParser(Parser):
    """JSON bodies, and multipart forms for posting a message with files: the form's
    fields validate against the same schema as the JSON body."""

    def parse_body(self, request: HttpRequest):
        if request.content_type == "multipart/form-data":
            data = {key: request.POST.get(key) for key in request.POST}
        else:
            data = json.loads(request.body, parse_constant=_refuse_constant)
        _refuse_nul(data)
        return data


class OmbudsAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """Document what applies to every operation once: the error shape and, on POST,
        the Idempotency-Key header."""
        schema = super().get_openapi_schema(**kwargs)
        schema["components"].setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                operation["responses"].setdefault(
                    "default",
                    {
                        "description": "A refusal or failure",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
                if method == "post":
                    operation.setdefault("parameters", []).append(_IDEMPOTENCY_HEADER)
        return schema

    def validation_error_from_error_contexts(self, error_contexts) -> SchemaValidationError:
        """Name each refused field as the client sent it (`lines.0.unit_price`, `status`),
        not by the handler's parameter that holds it."""
        fields = []
        for context in error_contexts:
            model = context.model
            for error in context.pydantic_validation_error.errors(include_url=False):
                fields.append(
                    {
                        "location": model.__ninja_param_source__,
                        "field": ".".join(str(part) for part in _client_path(model, error["loc"])),
                        "message": error["msg"],
                        "type": error["type"],
                    }
                )
        return SchemaValidationError(fields)

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = _at_the_edge(pattern.callback)
        # Last, so it only sees paths no operation matched; an API client gets JSON,
        # not the web's HTML 404 page.
        patterns.append(re_path(r"^.*$", _unknown_path))
        return patterns


def _client_path(model, loc: tuple) -> tuple:
    if single := getattr(model, "__read_from_single_attr__", None):
        return loc[1:] if loc[:1] == (single,) else loc
    flattened = getattr(model, "__ninja_flatten_map_reverse__", {})
    for size in range(len(loc), 0, -1):
        if loc[:size] in flattened:
            return flattened[loc[:size]] + loc[size:]
    return loc


def _at_the_edge(view):
    """What ninja answers before an operation runs, in our error shape: NUL in the URL
    (which no lookup can take) and a method the path does not serve."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _has_nul(request):
            refusal = _nul_refused()
            return _json_error(400, refusal.code, refusal.message)
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        answer = _json_error(
            405,
            "method_not_allowed",
            f"{request.method} is not allowed here.",
            details={"allowed": sorted(response.get("Allow", "").split(", "))},
        )
        answer["Allow"] = response.get("Allow", "")
        return answer

    return wrapper


def _has_nul(request: HttpRequest) -> bool:
    texts = [request.path, *(text for pair in request.GET.lists() for text in [pair[0], *pair[1]])]
    return any("\x00" in text for text in texts)


def _unknown_path(request: HttpRequest) -> HttpResponse:
    return _json_error(404, "not_found", f"No API endpoint at {request.path}.")


_unknown_path.csrf_exempt = True

api = OmbudsAPI(
    title="Ombuds API",
    version="1",
    description=(
        "Orders, parties and cases of one workspace. Authenticate with "
        "`Authorization: Bearer <token>` (`ombuds create-token`). Errors are "
        '`{"code", "message", "details"}`. POST honours `Idempotency-Key`.'
    ),
    urls_namespace="api",
    parser=JsonOrMultipartParser(),
)
api.add_decorator(writes_in_one_transaction, mode="view")
api.add_decorator(honour_idempotency_key, mode="operation")
api.add_router("/", marketplace_router)
api.add_router("/", cases_router)
api.add_router("/", macros_router)
api.add_router("/", sla_router)
api.add_router("/", ledger_router)
api.add_router("/", routing_router)
api.add_router("/", chargebacks_router)


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(SchemaValidationError)
def _schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    names = ", ".join(sorted({f["field"] or f["location"] for f in exc.errors}))
    return api.create_response(
        request,
        _error_body("validation_error", f"Invalid input: {names}.", exc.errors),
        status=422,
    )


@api.exception_handler(ModelValidationError)
def _model_validation_error(request: HttpRequest, exc: ModelValidationError) -> HttpResponse:
    # Model rules the schema does not repeat (a field's length, a URL's shape).
    details = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    names = ", ".join(sorted(details))
    return api.create_response(
        request,
        _error_body("validation_error", f"Invalid input: {names}.", details),
        status=422,
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        response = api.create_response(
            request,
            _error_body("unauthorized", "A valid bearer token is required."),
            status=401,
        )
        response["WWW-Authenticate"] = "Bearer"
        return response
    if isinstance(exc.__cause__, ApplicationError):
        return _application_error(request, exc.__cause__)
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # ninja's body parser failed: not JSON, or not UTF-8.
        return api.create_response(
            request, _error_body("invalid_json", "The body is not valid JSON."), status=400
        )
    codes = {400: "bad_request", 403: "forbidden", 429: "too_many_requests"}
    code = codes.get(exc.status_code, "http_error")
    return api.create_response(request, _error_body(code, str(exc)), status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, _error_body("not_found", "Not found."), status=404)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(
        request, _error_body("request_too_large", "The request body is too large."), status=413
    )


@api.exception_handler(IntegrityError)
def _conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # Services check before they write; what still collides here is a parallel
    # request writing the same row, which a retry resolves.
    logger.warning("api.integrity_error", extra={"path": request.path, "error": str(exc)})
    return api.create_response(
        request,
        _error_body("conflict", "A parallel request changed the same data; retry."),
        status=409,
    )


@api.exception_handler(DataError)
def _out_of_range(request: HttpRequest, exc: DataError) -> HttpResponse:
    # A value the schema let through but the column cannot hold (a number or text out of
    # its range): the client's input, not our failure; logged so the schema can catch up.
    logger.warning("api.data_error", extra={"path": request.path, "error": str(exc)})
    return api.create_response(
        request,
        _error_body("invalid_value", "A value is out of the range this field can hold."),
        status=422,
    )


@api.exception_handler(Exception)
def _internal_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("api.internal_error", extra={"path": request.path})
    return api.create_response(
        request,
        _error_body("internal_error", "Something went wrong on our side."),
        status=500,
    )
