"""An API client per role, each holding a bearer token of its workspace."""

import pytest

from tests import builders
from tests.api.client import Api


@pytest.fixture
def admin_api(workspace):
    return Api(builders.token(workspace, "admin@resale.test", role="admin"))


@pytest.fixture
def agent_api(workspace):
    return Api(builders.token(workspace, "agent-api@resale.test", role="agent"))


@pytest.fixture
def read_only_api(workspace):
    return Api(builders.token(workspace, "viewer@resale.test", role="read_only"))


@pytest.fixture
def other_api(other_workspace):
    """An admin of another workspace: nothing of `workspace` exists for them."""
    return Api(builders.token(other_workspace, "admin@other.test", role="admin"))


@pytest.fixture
def anonymous_api(db):
    return Api()


@pytest.fixture
def seller(workspace):
    return builders.party(workspace, "S-1", kind="seller", name="Sam Seller")


@pytest.fixture
def order(workspace, buyer, seller):
    return builders.order(workspace, "ORD-1", buyer=buyer, seller=seller)


@pytest.fixture
def case(workspace, buyer, order):
    return builders.case(workspace, requester=buyer, order=order)
