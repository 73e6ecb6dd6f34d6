"""``toolkit.record``: the check path's classes behave as the dataclasses they replace (issue 16), and a lazy
pattern behaves as the compiled one."""

from __future__ import annotations

import dataclasses
import pickle
import re

import pytest

from toolkit.lazy import pattern
from toolkit.record import field, record, replace


@record(frozen=True)
class Frozen:
    key: str
    value: int | None
    status: str = "ok"
    notes: list[str] = field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class FrozenDataclass:
    key: str
    value: int | None
    status: str = "ok"
    notes: list[str] = dataclasses.field(default_factory=list)


@record(frozen=True)
class Mark:
    key: str
    value: int


@dataclasses.dataclass(frozen=True)
class MarkDataclass:
    key: str
    value: int


@record(frozen=True)
class Plain:
    key: str
    value: int | None = None
    status: str = "ok"
    note: str = ""


@dataclasses.dataclass(frozen=True)
class PlainDataclass:
    key: str
    value: int | None = None
    status: str = "ok"
    note: str = ""


@record
class Mutable:
    name: str
    items: dict[str, int] = field(default_factory=dict)


def test_a_record_is_built_equal_hashed_and_shown_as_its_dataclass() -> None:
    """Positional, keyword and default arguments give the same fields, equality, hash and repr as a dataclass."""
    for args, kwargs in (((("a", 1)), {}), (("a",), {"value": 2, "status": "x"}), ((), {"value": 3, "key": "b"}),
                         (("a", 1, "s", ["n"]), {})):
        made, reference = Frozen(*args, **kwargs), FrozenDataclass(*args, **kwargs)
        assert dataclasses.astuple(made) == dataclasses.astuple(reference)
        assert list(vars(made)) == [f.name for f in dataclasses.fields(reference)]
        assert repr(made).removeprefix("Frozen") == repr(reference).removeprefix("FrozenDataclass")
        assert made == Frozen(*args, **kwargs)
    assert hash(Mark("a", 1)) == hash(Mark("a", 1)) == hash(MarkDataclass("a", 1)) != hash(Mark("a", 2))
    assert Frozen("a", 1) != Frozen("a", 2) and Frozen("a", 1) != FrozenDataclass("a", 1)
    assert Frozen("a", 1).notes is not Frozen("a", 1).notes  # a default_factory is called for each instance
    assert Frozen.__match_args__ == ("key", "value", "status", "notes")


def test_a_frozen_record_refuses_changes_and_a_mutable_one_is_unhashable() -> None:
    """Assigning or deleting a field of a frozen record raises FrozenInstanceError; a mutable record takes
    assignments and, like a dataclass with eq, has no hash."""
    item = Frozen("a", 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.key = "b"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del item.key  # type: ignore[misc]
    box = Mutable("x")
    box.name = "y"
    assert box == Mutable("y") and box.items == {}
    with pytest.raises(TypeError):
        hash(box)


def test_the_shortcut_for_leading_fields_fills_the_plain_defaults_as_a_dataclass() -> None:
    """The first fields given in order, plain defaults after them (CellValue's common call): the fields a dataclass
    has, in its order; a record with a default_factory field keeps the long way (a new default per instance)."""
    for args in (("a",), ("a", 1), ("a", 1, "s"), ("a", 1, "s", "n")):
        assert vars(Plain(*args)) == dataclasses.asdict(PlainDataclass(*args))
        assert list(vars(Plain(*args))) == ["key", "value", "status", "note"]
    assert Plain.__record_tail__ == (None, "ok", "")  # type: ignore[attr-defined]
    assert Frozen.__record_tail__ is None and Mark.__record_tail__ is None  # type: ignore[attr-defined]
    assert Frozen("a", 1, "s").notes == [] and Frozen("a", 1, "s").notes is not Frozen("a", 1, "s").notes
    with pytest.raises(TypeError):
        Plain()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Plain("a", 1, "s", "n", "extra")  # type: ignore[call-arg]


@pytest.mark.parametrize("call", [lambda: Frozen("a"), lambda: Frozen("a", 1, key="b"),
                                  lambda: Frozen("a", 1, colour="red"), lambda: Frozen("a", 1, "s", [], 5)],
                         ids=["missing", "repeated", "unknown", "too-many"])
def test_a_wrong_call_is_a_type_error(call: object) -> None:
    """A missing, repeated or unknown argument, or too many, is a TypeError as for a dataclass."""
    with pytest.raises(TypeError):
        call()  # type: ignore[operator]


def test_dataclasses_functions_and_pickle_work_on_records() -> None:
    """dataclasses.replace, fields, asdict and is_dataclass, the record's own replace, and pickle."""
    item = Frozen("a", 1, notes=["n"])
    assert dataclasses.is_dataclass(item) and [f.name for f in dataclasses.fields(Frozen)] == list(vars(item))
    assert dataclasses.replace(item, value=2) == replace(item, value=2) == Frozen("a", 2, notes=["n"])
    assert dataclasses.asdict(item) == {"key": "a", "value": 1, "status": "ok", "notes": ["n"]}
    assert pickle.loads(pickle.dumps(item)) == item and pickle.loads(pickle.dumps(Mutable("m"))) == Mutable("m")


def test_record_refuses_what_it_does_not_support() -> None:
    """Inheriting from a record, its own __init__ or a ClassVar: refused rather than subtly wrong."""
    with pytest.raises(TypeError):
        record(type("Child", (Frozen,), {"__annotations__": {"extra": "int"}}))
    with pytest.raises(TypeError):
        record(type("Own", (), {"__annotations__": {"a": "int"}, "__init__": lambda self: None}))
    with pytest.raises(TypeError):
        record(type("Kinds", (), {"__annotations__": {"a": "ClassVar[int]"}}))


def test_a_lazy_pattern_matches_as_the_compiled_one() -> None:
    """pattern() compiles on first use and then answers as re.compile's pattern (str and bytes, flags)."""
    lazy, compiled = pattern(r"(\d+)件", re.IGNORECASE), re.compile(r"(\d+)件", re.IGNORECASE)
    assert "match" not in vars(lazy)
    assert lazy.findall("3件 和 45件") == compiled.findall("3件 和 45件") == ["3", "45"]
    assert "findall" in vars(lazy) and lazy.pattern == compiled.pattern and lazy.flags == compiled.flags
    assert pattern(rb"<v>(.*?)</v>", re.DOTALL).search(b"<v>1\n2</v>")[1] == b"1\n2"  # type: ignore[index]
