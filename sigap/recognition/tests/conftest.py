import pytest

from sigap.reports import services


@pytest.fixture
def desk(make_user):
    """A DLHK dispatcher and officer of Kupang (SAMPAH reports go to DLHK)."""
    return make_user("dispatcher", agency="DLHK"), make_user("officer", agency="DLHK")


@pytest.fixture
def fixed(desk, photo):
    """Return fix(report, at): verified by the desk, assigned, resolved with proof."""
    dispatcher, officer = desk

    def fix(report, at):
        services.verify(report.pk, actor=dispatcher, now=at)
        services.assign(report.pk, actor=dispatcher, now=at, officer=officer)
        return services.resolve(report.pk, actor=officer, now=at, note="Sudah diangkut",
                                photos=[photo()])

    return fix


@pytest.fixture
def rejected(desk):
    def reject(report, at):
        return services.reject(report.pk, actor=desk[0], now=at, reason="spam")

    return reject
