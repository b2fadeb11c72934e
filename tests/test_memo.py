"""Per-process memos: values expire by an injected clock; answers are bounded by size."""

from sigap.lib import memo


def test_it_keeps_a_value_until_its_time_is_up():
    now = [100.0]
    kept = memo.Expiring(30, clock=lambda: now[0])
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert kept.get("k", compute) == 1
    now[0] += 29
    assert kept.get("k", compute) == 1
    now[0] += 2
    assert kept.get("k", compute) == 2
    kept.forget("k")
    assert kept.get("k", compute) == 3


def test_it_never_keeps_nothing_nor_keeps_anything_when_switched_off():
    off = memo.Expiring(0)
    assert [off.get("k", lambda: object()) is off.get("k", lambda: object())] == [False]
    kept = memo.Expiring(30)
    assert kept.get("missing", lambda: None) is None
    assert kept.get("missing", lambda: "now there") == "now there"


def test_it_drops_the_least_recently_used_answers_beyond_its_size():
    answers = memo.Bounded(max_bytes=400)
    for name in "abcd":
        answers.put(name, name.upper(), 100)
    assert answers.get("a") == "A"  # touched: now the most recent
    answers.put("e", "E", 100)
    assert answers.get("b") is None and answers.get("a") == "A" and len(answers) == 4
    answers.put("huge", "H", 101)  # over a quarter of the whole: not kept
    assert answers.get("huge") is None


def test_clear_all_empties_every_memo():
    kept = memo.Expiring(30)
    kept.get("k", lambda: 1)
    answers = memo.Bounded(max_bytes=100)
    answers.put("a", "A", 1)
    memo.clear_all()
    assert kept.get("k", lambda: 2) == 2 and answers.get("a") is None
