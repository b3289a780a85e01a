"""At scale the channel layer is Redis: the same chat, with pushes from the request thread
sent straight to Redis instead of through the server's event loop."""

from __future__ import annotations

import uuid

import pytest

from ombuds.conversations.models import Case
from ombuds.conversations.services import reply_to_customer
from ombuds.intake.models import ChatSession

from .talk import db, drain, receive_until, reply, run, start_chat

pytestmark = pytest.mark.django_db(transaction=True)
REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_layer(settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # A prefix of its own: other test runs may share this Redis.
            "CONFIG": {"hosts": [REDIS], "prefix": f"ombuds-test-{uuid.uuid4().hex[:8]}"},
        }
    }


def test_an_agents_reply_reaches_the_visitor_through_redis(
    redis_layer, application, chat_account, agent
):
    async def scenario():
        visitor, welcome = await start_chat(application)
        await visitor.send_json_to({"type": "message", "id": "redis-000001", "text": "Hi"})
        await reply(visitor)
        await drain(visitor)
        session = await db(ChatSession.objects.get)(token=welcome["token"])
        case = await db(Case.objects.get)(pk=session.case_id)
        await db(reply_to_customer)(case=case, author=agent, body="Hello from the desk.")
        pushed = await receive_until(visitor, "message")
        await visitor.disconnect()
        return pushed

    pushed = run(scenario)
    assert pushed["message"]["text"] == "Hello from the desk."
    assert pushed["message"]["author"] == "agent"
