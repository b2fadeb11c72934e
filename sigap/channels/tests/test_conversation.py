"""The conversation's steps as pure functions: no database, no HTTP."""

from datetime import datetime, timedelta, timezone

from sigap.channels import conversation as c
from sigap.channels.inbound import Incoming
from sigap.channels.matching import best, score

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)


class Ctx:
    city_name = "Kota Uji"
    cats = {"SAMPAH": c.CategoryInfo("SAMPAH", "Sampah", questions=(
        c.Question("volume", "Berapa banyak?", "singlevaluelist",
                   (("kecil", "Sedikit"), ("besar", "Banyak"))),)),
            "KEBAKARAN": c.CategoryInfo("KEBAKARAN", "Kebakaran", is_emergency=True)}

    def emergency_numbers(self):
        return [("113", "Pemadam")]

    def groups(self):
        return [("Lingkungan", [("SAMPAH", "Sampah")]), ("Darurat", [("KEBAKARAN", "Kebakaran")])]

    def category(self, code):
        return self.cats.get(code)

    def match_category(self, text):
        return best(text, [(k, [v.name]) for k, v in self.cats.items()])

    def locate(self, lat, lng):
        return "Oebobo" if lat < -10.15 else None

    def match_place(self, text):
        return c.Place("Kelurahan Oebobo", -10.17, 123.6) if score(text, "Oebobo") > .8 else None

    def nearby(self, code, lat, lng):
        return []

    def status_text(self, ticket, phone):
        return f"status of {ticket}"


def msg(text="", kind="text", **kw):
    return Incoming(id="m", phone="62811", at=NOW, kind=kind, text=text, **kw)


def run(draft, *messages, now=NOW):
    out = None
    for m in messages:
        out = c.step(draft, m, Ctx(), now)
        draft = out.draft
    return out


def test_it_walks_from_hello_to_create():
    out = run({}, msg("halo"), msg(kind="reply", reply_id="grp:0"), msg("lewati"),
              msg(kind="location", lat=-10.17, lng=123.6), msg("Sampah di got"),
              msg("banyak"), msg(kind="reply", reply_id="anon:yes"),
              msg(kind="reply", reply_id="ok:send"))
    assert out.action == ("create",)
    assert out.draft["answers"] == {"volume": "besar"} and out.draft["anonymous"] is True
    assert (out.draft["lat"], out.draft["lng"]) == (-10.17, 123.6)


def test_batal_cancels_at_any_step():
    out = run({}, msg("sampah"), msg("BATAL"))
    assert out.draft == {} and "dibatalkan" in out.replies[0].text


def test_a_status_query_leaves_the_draft_alone():
    draft = run({}, msg("sampah")).draft
    out = c.step(draft, msg("Status kpg-2026-000123"), Ctx(), NOW)
    assert out.replies[0].text == "status of KPG-2026-000123" and out.draft == draft


def test_an_idle_draft_is_offered_back_after_30_minutes():
    draft = run({}, msg("sampah"), msg("lewati")).draft
    assert c.step(draft, msg("x"), Ctx(), NOW + timedelta(minutes=29)).draft["step"] == "place"
    out = c.step(draft, msg("halo"), Ctx(), NOW + timedelta(minutes=31))
    assert out.draft["step"] == "resume"
    assert [b[0] for b in out.replies[0].buttons] == ["resume:yes", "resume:no"]
    back = c.step(out.draft, msg(kind="reply", reply_id="resume:yes"), Ctx(), NOW)
    assert back.draft["step"] == "place"


def test_a_pin_outside_the_city_is_refused():
    out = run({}, msg("sampah"), msg("lewati"), msg(kind="location", lat=-10.0, lng=123.0))
    assert out.draft["step"] == "place" and "di luar wilayah" in out.replies[0].text


def test_a_typed_place_is_confirmed_back():
    out = run({}, msg("sampah"), msg("lewati"), msg("dekat oebob"))
    assert out.draft["step"] == "place_confirm" and "Oebobo" in out.replies[0].text
    out = c.step(out.draft, msg("ya"), Ctx(), NOW)
    assert out.draft["step"] == "description" and out.draft["address"] == "dekat oebob"


def test_an_emergency_category_warns_with_the_numbers_first():
    out = run({}, msg("halo"), msg(kind="reply", reply_id="grp:1"))
    assert out.replies[0].text.startswith("DARURAT") and "113" in out.replies[0].text


def test_the_language_can_be_switched():
    out = run({}, msg("halo"), msg("English"))
    assert out.language == "en"


def test_sudah_beres_buttons_are_actions():
    assert run({}, msg(kind="reply", reply_id="fix:yes:KPG-1")).action == (
        "confirm_fixed", "KPG-1", True, "")
    out = run({}, msg(kind="reply", reply_id="fix:no:KPG-1"), msg("masih bau"))
    assert out.action == ("confirm_fixed", "KPG-1", False, "masih bau")
