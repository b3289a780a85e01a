"""A workspace's commerce policy: a default from the start, a new version on every change,
old versions never changed."""

from __future__ import annotations

import copy

import pytest

from ombuds.core.errors import ApplicationError
from ombuds.core.models import Workspace
from ombuds.policies.document import check_document, default_document, document_changes
from ombuds.policies.models import PolicyVersion
from ombuds.policies.selectors import current_policy, policy_versions
from ombuds.policies.services import open_default_policy, policy_in_force, revise_policy
from tests import builders


@pytest.fixture
def admin(workspace):
    return builders.member(workspace, "admin@resale.test", role="admin", name="Ada Admin")


def test_a_new_workspace_starts_with_the_default_policy(workspace):
    version = PolicyVersion.objects.get(workspace=workspace)
    assert version.number == 1
    assert version.document == default_document()
    policy = current_policy(workspace)
    assert (policy.number, policy.version_id) == (1, version.pk)
    assert policy.limit(role="agent", action="refund", currency="EUR") == 10000
    assert policy.limit(role="agent", action="credit", currency="EUR") == 2500
    assert policy.limit(role="finance", action="refund", currency="JPY") is None


def test_a_workspace_made_before_policies_reads_the_default_and_stores_it_when_used(db):
    bare = Workspace.objects.create(slug="old", name="Old")
    assert current_policy(bare).version_id is None
    assert not PolicyVersion.objects.filter(workspace=bare).exists()
    assert policy_in_force(workspace=bare).number == 1
    assert open_default_policy(workspace=bare).number == 1
    assert PolicyVersion.objects.filter(workspace=bare).count() == 1


def test_each_change_is_a_new_version_and_the_old_one_stays(workspace, admin):
    document = default_document()
    document["authority"]["agent"]["refund"]["EUR"] = 15000
    second = revise_policy(
        workspace=workspace, by=admin, document=document, based_on=1, note="  Raise  agents "
    )
    assert second.number == 2
    assert second.note == "Raise agents"
    assert current_policy(workspace).limit(role="agent", action="refund", currency="EUR") == 15000
    first = PolicyVersion.objects.get(workspace=workspace, number=1)
    assert first.document["authority"]["agent"]["refund"]["EUR"] == 10000
    assert [v.number for v in policy_versions(workspace=workspace)] == [2, 1]
    assert document_changes(first.document, second.document) == ["authority.agent.refund.EUR"]


def test_saving_the_same_policy_again_writes_no_version(workspace, admin):
    same = revise_policy(workspace=workspace, by=admin, document=default_document(), based_on=1)
    assert same.number == 1
    assert PolicyVersion.objects.filter(workspace=workspace).count() == 1


def test_a_revision_based_on_an_old_version_is_refused(workspace, admin):
    document = default_document()
    document["returns"]["goods"]["window_days"] = 30
    revise_policy(workspace=workspace, by=admin, document=document, based_on=1)
    document["returns"]["goods"]["window_days"] = 7
    with pytest.raises(ApplicationError) as refused:
        revise_policy(workspace=workspace, by=admin, document=document, based_on=1)
    assert (refused.value.code, refused.value.status) == ("policy_changed", 409)
    assert current_policy(workspace).returns["goods"].window_days == 30


def test_versions_belong_to_their_workspace(workspace, other_workspace, admin):
    document = default_document()
    document["returns"]["goods"]["window_days"] = 30
    revise_policy(workspace=workspace, by=admin, document=document, based_on=1)
    assert current_policy(other_workspace).returns["goods"].window_days == 14


def _broken(change):
    document = copy.deepcopy(default_document())
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["returns"]["goods"].update(window_days=-1), "returns.goods.window_days"),
        (lambda d: d["returns"]["goods"].update(window_days=True), "returns.goods.window_days"),
        (lambda d: d["returns"].pop("hotel"), "returns.hotel"),
        (
            lambda d: d["fault_rules"]["wrong_size"].update(bears="nobody"),
            "fault_rules.wrong_size.bears",
        ),
        (
            lambda d: d["fault_rules"].update(ghost={"bears": "seller", "return_by": "none"}),
            "fault_rules.ghost",
        ),
        (lambda d: d["budgets"]["rebooking"].update(share_bp=10001), "budgets.rebooking.share_bp"),
        (
            lambda d: d["budgets"]["rebooking"]["caps"].update(EUR=12.5),
            "budgets.rebooking.caps.EUR",
        ),
        (lambda d: d["budgets"]["rebooking"]["caps"].update(XXQ=100), "budgets.rebooking.caps.XXQ"),
        (lambda d: d["authority"]["agent"]["refund"].update(EUR=-5), "authority.agent.refund.EUR"),
        (lambda d: d["authority"].update(read_only={}), "authority.read_only"),
        (lambda d: d["authority"]["agent"].update(teleport={}), "authority.agent.teleport"),
        (lambda d: d.update(currencies=["EUR", "EUR"]), "currencies"),
        (lambda d: d.update(schema=2), "schema"),
    ],
)
def test_an_invalid_policy_is_refused_naming_the_field(workspace, admin, change, field):
    with pytest.raises(ApplicationError) as refused:
        revise_policy(workspace=workspace, by=admin, document=_broken(change), based_on=1)
    assert refused.value.code == "invalid_policy"
    assert refused.value.status == 422
    assert field in [p["field"] for p in refused.value.details["problems"]]
    assert PolicyVersion.objects.filter(workspace=workspace).count() == 1


def test_the_default_document_is_valid():
    assert check_document(default_document()) == default_document()
