"""The suggester's model: words, word pairs and character n-grams under naive Bayes."""

from sigap.suggest import classifier

DOCS = [("sampah menumpuk di jalan", "SAMPAH", 1.0), ("tumpukan sampah bau", "SAMPAH", 1.0),
        ("lampu merah mati", "LALIN_RUSAK", 1.0), ("lampu lalu lintas mati", "LALIN_RUSAK", 1.0),
        ("lampu jalan mati", "PJU_MATI", 1.0), ("lampu jalan padam gelap", "PJU_MATI", 1.0)]


def test_it_writes_chat_short_forms_and_doubled_words_out():
    assert classifier.normalise("Lampu2 di Jln. Timor tdk nyala!") == [
        "lampu", "lampu", "di", "jalan", "timor", "tidak", "nyala"]


def test_it_counts_words_pairs_and_pieces_of_words():
    feats = classifier.features("Got tasumbat")
    assert {"w:got", "w:tasumbat", "b:got_tasumbat", "c: got ", "c:sumb"} <= feats


def test_word_pairs_tell_a_traffic_light_from_a_street_light():
    model = classifier.train(DOCS)
    assert classifier.rank(model, "lampu merah mati")[0][0] == "LALIN_RUSAK"
    assert classifier.rank(model, "lampu jalan mati")[0][0] == "PJU_MATI"


def test_pieces_of_words_match_a_misspelling():
    model = classifier.train(DOCS)
    assert classifier.rank(model, "sampahh numpuk")[0][0] == "SAMPAH"


def test_scores_are_probabilities_best_first():
    ranked = classifier.rank(classifier.train(DOCS), "lampu mati", limit=3)
    assert len(ranked) == 3
    assert [p for _c, p in ranked] == sorted((p for _c, p in ranked), reverse=True)
    assert 0.99 <= sum(p for _c, p in classifier.rank(classifier.train(DOCS), "lampu mati",
                                                      limit=9)) <= 1.01


def test_only_the_categories_asked_among_are_answered():
    model = classifier.train(DOCS)
    assert [c for c, _p in classifier.rank(model, "lampu merah mati",
                                           among=["PJU_MATI", "SAMPAH"])] == ["PJU_MATI",
                                                                                 "SAMPAH"]


def test_unknown_words_get_no_guess():
    assert classifier.rank(classifier.train(DOCS), "qqq zzz") == []
    assert classifier.rank(classifier.train(DOCS), "") == []


def test_a_word_said_in_one_report_only_is_not_kept():
    docs = DOCS + [("sampah depan rumah Yohanes Manafe", "SAMPAH", 1.0)]
    model = classifier.train(docs)
    weights = model["categories"]["SAMPAH"]["weights"]
    assert "w:sampah" in weights
    assert "w:manafe" not in weights and "c:anaf" not in weights


def test_a_pack_phrase_is_kept_even_when_said_once():
    docs = DOCS + [("got tasumbat", "BANJIR_DRAINASE", 4.0)]
    model = classifier.train(docs, trusted=["got tasumbat"])
    assert "w:got" in model["categories"]["BANJIR_DRAINASE"]["weights"]
    assert classifier.rank(model, "got tasumbat lagi")[0][0] == "BANJIR_DRAINASE"


def test_a_description_typed_a_thousand_times_does_not_drown_the_phrases():
    weights = {code: w for _t, code, w in classifier.documents(
        {("Sampah menumpuk dekat pasar", "SAMPAH"): 1000}, [("got tasumbat", "BANJIR")])}
    assert weights["SAMPAH"] < 2 * weights["BANJIR"]


def test_accuracy_counts_top_one_and_top_three():
    model = classifier.train(DOCS)
    result = classifier.accuracy(model, [("lampu merah mati", "LALIN_RUSAK"),
                                         ("lampu merah mati", "PJU_MATI")])
    assert result["top1"] == 0.5 and result["top3"] == 1.0 and len(result["missed"]) == 1
