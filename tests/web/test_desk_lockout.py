"""Password guessing at the desk's sign-in is slowed down by a lock-out."""

from tests import builders


def sign_in(client, password):
    return client.post(
        "/login/",
        {"username": "agent@resale.test", "password": password},
        REMOTE_ADDR="203.0.113.9",
    )


def test_repeated_wrong_passwords_lock_the_sign_in(client, agent, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        assert sign_in(client, "wrong").status_code == 200  # the form again, with an error
    locked = sign_in(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # Even the right password is refused while the lock lasts.
    assert sign_in(client, builders.PASSWORD).status_code == 429


def test_a_right_password_signs_in_and_resets_the_count(client, agent, settings):
    settings.AXES_FAILURE_LIMIT = 3
    sign_in(client, "wrong")
    sign_in(client, "wrong")
    assert sign_in(client, builders.PASSWORD).status_code == 302


def test_the_lock_out_page_speaks_dutch(client, agent, settings):
    settings.AXES_FAILURE_LIMIT = 1
    client.cookies["django_language"] = "nl"
    assert "Te veel mislukte aanmeldpogingen" in sign_in(client, "wrong").content.decode()
