import pytest

from tests.intake import dovecot as dovecot_server


@pytest.fixture(scope="session")
def dovecot():
    """A Dovecot IMAP server for the whole run, in a temporary directory."""
    if not dovecot_server.available():
        pytest.skip("needs Dovecot: /usr/sbin/dovecot is missing (apt-get install dovecot-imapd)")
    server = dovecot_server.Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def mail_user(dovecot):
    """A fresh mail account on the server, so tests do not see each other's mail."""
    return dovecot.new_user()
