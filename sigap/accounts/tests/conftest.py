import pytest


@pytest.fixture
def sent(monkeypatch):
    """Capture what sigap.notifications.channels.send delivers: a list of (channel, to, text)."""
    from sigap.notifications import channels

    outbox = []
    monkeypatch.setattr(channels, "send",
                        lambda channel, to, subject, text, html=None: outbox.append(
                            (channel, to, text)))
    return outbox


@pytest.fixture
def code_in():
    import re

    def find(text):
        return re.search(r"\b(\d{6})\b", text).group(1)

    return find
