"""Per-process memos: values expire by an injected timer; answers are bounded by size."""

import sys
import threading

from sigap.lib import memo


class Clock:
    def __init__(self, at=100.0):
        self.at = at

    def __call__(self):
        return self.at


def counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return compute


def test_it_keeps_a_value_until_its_time_is_up():
    clock = Clock()
    kept, compute = memo.Memo(30, timer=clock), counter()
    assert kept.get("k", compute) == 1
    clock.at += 29.9
    assert kept.get("k", compute) == 1
    clock.at += 0.1  # exactly 30 s after it was kept: old
    assert kept.get("k", compute) == 2
    kept.forget("k")
    assert kept.get("k", compute) == 3


def test_it_reads_its_time_limit_when_it_keeps_a_value(settings):
    clock = Clock()
    kept, compute = memo.Memo(lambda: settings.SIGAP_CONFIG_CACHE_SECONDS, timer=clock), counter()
    settings.SIGAP_CONFIG_CACHE_SECONDS = 5
    assert kept.get("k", compute) == 1
    settings.SIGAP_CONFIG_CACHE_SECONDS = 60  # the value kept already keeps its 5 s
    clock.at += 5
    assert kept.get("k", compute) == 2
    clock.at += 59
    assert kept.get("k", compute) == 2


def test_the_configuration_memo_follows_the_setting(settings):
    settings.SIGAP_CONFIG_CACHE_SECONDS = 0
    off, compute = memo.configuration(), counter()
    assert [off.get("k", compute), off.get("k", compute)] == [1, 2]
    settings.SIGAP_CONFIG_CACHE_SECONDS = 30
    assert [off.get("k", compute), off.get("k", compute)] == [3, 3]


def test_it_never_keeps_nothing_nor_keeps_anything_when_switched_off():
    off = memo.Memo(0)
    assert off.get("k", object) is not off.get("k", object)
    kept = memo.Memo(30)
    assert kept.get("missing", lambda: None) is None
    assert kept.get("missing", lambda: "now there") == "now there"
    assert kept.get("absent") is None  # no compute: only what is kept


def test_it_drops_the_least_recently_used_beyond_its_size_in_bytes():
    answers = memo.Memo(30, maxsize=400, getsizeof=len)
    for name in "abcd":
        answers.put(name, name.upper() * 100)
    assert answers.get("a") == "A" * 100  # touched: now the most recent
    answers.put("e", "E" * 100)
    assert answers.get("b") is None and answers.get("a") == "A" * 100 and len(answers) == 4
    answers.put("huge", "H" * 401)  # larger than the whole memo: not kept, nothing dropped
    assert answers.get("huge") is None and len(answers) == 4


def test_it_drops_the_least_recently_used_beyond_its_count():
    kept = memo.Memo(30, maxsize=2)
    kept.put("a", 1)
    kept.put("b", 2)
    kept.get("a")
    kept.put("c", 3)
    assert [kept.get(k) for k in "abc"] == [1, None, 3]


def test_threads_share_a_memo_without_losing_entries():
    # cachetools' caches are not thread-safe: without the memo's lock, switching threads
    # this often loses entries or breaks the cache's expiry heap.
    kept = memo.Memo(30, maxsize=10_000)

    def fill(offset):
        for i in range(2000):
            kept.put((offset, i), i)
            kept.get((offset, i - 1))
            if i % 7 == 0:
                kept.forget((offset, i))

    threads = [threading.Thread(target=fill, args=(n,)) for n in range(4)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert len(kept) == 4 * (2000 - len(range(0, 2000, 7)))


def test_clear_all_empties_every_memo():
    kept = memo.Memo(30)
    kept.get("k", lambda: 1)
    answers = memo.Memo(30, maxsize=100, getsizeof=len)
    answers.put("a", "A")
    memo.clear_all()
    assert kept.get("k", lambda: 2) == 2 and answers.get("a") is None
