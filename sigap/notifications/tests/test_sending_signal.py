"""The apps above deliver their own channels through `signals.sending_message`."""

import pytest
from django.core import mail

from sigap.notifications import channels
from sigap.notifications.signals import sending_message


@pytest.fixture
def answering():
    """Connect a receiver for the "email" channel that answers `answer[0]`; record calls."""
    calls, answer = [], [True]

    def receiver(sender, *, channel, to, subject, text, notification=None, **kwargs):
        calls.append((channel, to))
        return answer[0] if channel == "email" else None

    sending_message.connect(receiver, dispatch_uid="test.sending")
    yield calls, answer
    sending_message.disconnect(dispatch_uid="test.sending")


def test_a_receiver_that_delivers_takes_the_message(answering):
    calls, _answer = answering
    channels.send("email", "warga@sigap.test", "Laporan", "Teks")
    assert calls == [("email", "warga@sigap.test")]
    assert mail.outbox == []


def test_a_receiver_that_declines_leaves_it_to_the_built_in_transport(answering):
    calls, answer = answering
    answer[0] = False
    channels.send("email", "warga@sigap.test", "Laporan", "Teks")
    assert calls == [("email", "warga@sigap.test")]
    assert [m.to for m in mail.outbox] == [["warga@sigap.test"]]


def test_the_apps_receivers_answer_only_for_their_own_channel():
    # "whatsapp" (channels) and "push" (duty) are connected; neither takes an e-mail.
    answers = sending_message.send(sender=None, channel="email", to="a@sigap.test",
                                   subject="s", text="t", notification=None)
    assert len(answers) >= 2
    assert all(answer is None for _receiver, answer in answers)
