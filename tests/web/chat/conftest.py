"""Live chat scenarios: a workspace that offers chat on one shop's site, a visitor's
socket from that site and an agent's desk socket, both through the real ASGI app."""

from __future__ import annotations

import pytest

from ombuds.intake.chat.setup import enable_chat
from ombuds.intake.language import detect_language

from .talk import SHOP


@pytest.fixture(autouse=True, scope="session")
def _language_model_loaded():
    # Loading the language model takes seconds once per process; a socket test waiting on
    # its first message should not spend its timeout on that.
    detect_language("a sentence long enough to load the model")


@pytest.fixture(autouse=True)
def _fresh_channel_layer(settings):
    # A new in-memory layer per test: groups must not outlive the test that joined them.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def chat_account(workspace):
    return enable_chat(workspace=workspace, allowed_origins=[SHOP])


@pytest.fixture
def application():
    from ombuds.config.asgi import application

    return application
