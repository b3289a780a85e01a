import pytest
from django.core.management import CommandError, call_command

from ombuds.accounts.services import create_workspace
from ombuds.core.errors import ApplicationError


@pytest.mark.django_db
@pytest.mark.parametrize("slug,prefix", [("resale", "RESA"), ("x", "CXAS"), ("9lives", "C9LI")])
def test_prefix_is_derived_from_the_slug(slug, prefix):
    assert create_workspace(slug=slug, name="Shop").case_prefix == prefix


@pytest.mark.django_db
def test_invalid_prefix_is_a_clear_refusal():
    with pytest.raises(ApplicationError) as refused:
        create_workspace(slug="shop", name="Shop", case_prefix="lower")
    assert refused.value.code == "invalid_workspace"
    assert "case_prefix" in refused.value.details


@pytest.mark.django_db
def test_cli_creates_a_workspace_and_a_token(capsys):
    call_command("create-workspace", "acme", "--name", "Acme", "--prefix", "ACME")
    call_command(
        "create-token", "--workspace", "acme", "--email", "ops@acme.test", "--role", "admin"
    )
    token = capsys.readouterr().out.split()[-1]
    assert token.startswith("omb_")


@pytest.mark.django_db
def test_cli_explains_a_missing_workspace():
    with pytest.raises(CommandError, match="create-workspace nope"):
        call_command("create-token", "--workspace", "nope", "--email", "a@b.test")


@pytest.mark.django_db
def test_cli_refuses_a_duplicate_workspace():
    call_command("create-workspace", "acme", "--name", "Acme")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create-workspace", "acme", "--name", "Acme")


@pytest.mark.django_db
def test_a_token_notes_when_it_was_last_used():
    from ombuds.accounts.models import ApiToken
    from ombuds.accounts.services import authenticate_token
    from tests import builders

    ws = builders.workspace("shop")
    raw = builders.token(ws, "ops@shop.test", role="admin")
    assert ApiToken.objects.get().last_used_at is None
    assert authenticate_token(raw).user.email == "ops@shop.test"
    assert ApiToken.objects.get().last_used_at is not None
    assert authenticate_token(raw + "x") is None
