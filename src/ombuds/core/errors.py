"""One application error type; the API and the web turn it into the same shape everywhere."""

from typing import Any


class ApplicationError(Exception):
    """A refusal the caller can act on: a machine-readable code, a message and details."""

    status = 400

    def __init__(self, code: str, message: str, *, details: Any = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFound(ApplicationError):
    status = 404

    def __init__(self, what: str, ident: Any = None):
        super().__init__(f"{what}_not_found", f"No {what.replace('_', ' ')} {ident or ''}".strip())


class PermissionDenied(ApplicationError):
    status = 403

    def __init__(self, message: str = "Your role does not allow this."):
        super().__init__("forbidden", message)


class Conflict(ApplicationError):
    status = 409


class InvalidTransition(ApplicationError):
    status = 409

    def __init__(self, what: str, current: str, target: str):
        super().__init__(
            "invalid_transition",
            f"A {what} cannot go from {current!r} to {target!r}.",
            details={"from": current, "to": target},
        )
