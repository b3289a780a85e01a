"""Who is calling the REST API, and may their role do this.

Authorization runs with authentication, before the body is parsed: a caller whose role
may not write learns nothing from validation errors about what a valid write looks like.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from ombuds.core.errors import PermissionDenied

from .models import Membership
from .roles import READ_CASES, WRITE_CASES, WRITE_MARKETPLACE, role_allows
from .services import authenticate_token


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` from `ombuds create-token`, checked against a
    permission. The request's `auth` is the token's Membership."""

    def __init__(self, permission: str):
        super().__init__()
        self.permission = permission

    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        membership = authenticate_token(token.strip())
        if membership is None:
            return None  # ninja answers 401
        if not role_allows(membership.role, self.permission):
            raise PermissionDenied(f"The {membership.role} role may not do this.")
        return membership


can_read_cases = BearerToken(READ_CASES)
can_write_cases = BearerToken(WRITE_CASES)
can_write_marketplace = BearerToken(WRITE_MARKETPLACE)
