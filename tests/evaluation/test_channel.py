"""The host's checks on the output channel, on frames the test writes itself."""

from adrs.evaluation.channel import parse_channel
from evaluators import wire

NONCE = "n" * 32


def frames(*items: dict) -> bytes:
    return b"".join((wire.encode({"nonce": NONCE, **f}) + "\n").encode() for f in items)


def case(cid: str, t0: float, t1: float, **extra: object) -> dict:
    return {"t": "case", "id": cid, "ok": True, "output": 1, "t0": t0, "t1": t1, **extra}


def parse(data: bytes, ids: list[str] | None = None, window=(10.0, 20.0)):
    return parse_channel(data, nonce=NONCE, expected_ids=ids or ["a", "b"], window=window)


def test_well_formed_channel_parses() -> None:
    r = parse(frames({"t": "start"}, case("a", 11, 12), case("b", 12, 13), {"t": "end"}))
    assert r.started and r.ended and not r.tampering
    assert [c.id for c in r.cases] == ["a", "b"] and r.cases[0].elapsed_s == 1


def test_wrong_nonce_is_forgery() -> None:
    forged = (wire.encode({**case("a", 11, 12), "nonce": "guess"}) + "\n").encode()
    r = parse(frames({"t": "start"}) + forged)
    assert r.tampering and "nonce" in r.tampering[0]


def test_timestamps_outside_host_window_are_tampering() -> None:
    assert parse(frames(case("a", 5, 6))).tampering
    assert parse(frames(case("a", 11, 25))).tampering


def test_overlapping_or_reordered_cases_are_tampering() -> None:
    assert parse(frames(case("a", 11, 14), case("b", 12, 13))).tampering
    assert parse(frames(case("b", 11, 12))).tampering
    assert parse(frames(case("a", 11, 12), case("a", 12, 13))).tampering


def test_frames_after_end_are_tampering() -> None:
    assert parse(frames({"t": "end"}, case("a", 11, 12))).tampering


def test_cut_off_last_line_is_ignored_not_tampering() -> None:
    data = frames({"t": "start"}, case("a", 11, 12)) + b'{"t": "case", "id": "b", "ok'
    r = parse(data)
    assert not r.tampering and [c.id for c in r.cases] == ["a"]


def test_garbage_line_is_tampering() -> None:
    assert parse(frames({"t": "start"}) + b"\x00\xffgarbage\n").tampering


def test_the_timekeepers_word_on_the_candidates_end_and_on_tampering_is_kept() -> None:
    r = parse(frames({"t": "start"}, {"t": "exit", "code": -24}))
    assert r.candidate_exit == -24 and not r.tampering
    r = parse(frames({"t": "start"}, {"t": "tampered", "reason": "case a: answered early"}))
    assert r.tampering == ["harness: case a: answered early"]


def test_an_exit_frame_without_the_nonce_changes_nothing() -> None:
    forged = (wire.encode({"t": "exit", "code": 0, "nonce": "guess"}) + "\n").encode()
    r = parse(frames({"t": "start"}) + forged)
    assert r.candidate_exit is None and "nonce" in r.tampering[0]
