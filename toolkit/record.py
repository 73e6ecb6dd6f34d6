"""``@record``: the dataclasses of the check path, without the cost of :mod:`dataclasses` at import.

``@dataclasses.dataclass`` writes and compiles six functions for every class when the module is imported, and
``import dataclasses`` brings :mod:`inspect` (and with it ``dis``, ``ast``, ``tokenize``…): on a one-file
``toolkit check`` that was a third of the process. :func:`record` builds the same class with shared methods
instead — nothing is compiled, nothing is imported:

- ``__init__`` takes the fields positionally or by name, in order, with their defaults (a ``field(default_factory=…)``
  is called for each instance); the two common calls — every field in order, or the first fields in order with
  plain defaults after them — take a shortcut that costs one ``dict.update``;
- ``__eq__`` compares the fields of two instances of the same class (else ``NotImplemented``);
- ``frozen=True``: assigning or deleting an attribute raises :class:`dataclasses.FrozenInstanceError`, and
  ``__hash__`` hashes the fields; without it the class is unhashable, as a dataclass with ``eq`` is;
- ``__repr__`` is the dataclass one, ``__match_args__`` the field names.

The class still answers :func:`dataclasses.replace`, :func:`dataclasses.fields`, :func:`dataclasses.asdict` and
:func:`dataclasses.is_dataclass`: its ``__dataclass_fields__`` is made (importing :mod:`dataclasses`) the first
time something asks for it. Type checkers see :func:`dataclasses.dataclass` itself, so every record is checked
as the dataclass it behaves as. Supported: fields with a default or a ``default_factory``, no ``ClassVar``,
``InitVar``, ``__post_init__``, inheritance between records, ``slots`` or ``order`` (a class that needs them
stays a dataclass; :func:`record` refuses what it does not support rather than get it subtly wrong).
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from dataclasses import dataclass as record
    from dataclasses import field, replace
else:
    import operator

    class _Factory:
        """What :func:`field` returns: the field's default is ``factory()``, made for each instance."""

        __slots__ = ("factory",)

        def __init__(self, factory):
            self.factory = factory

    def field(*, default_factory):
        """A field whose default is made for each instance (the only form of ``dataclasses.field`` records use)."""
        return _Factory(default_factory)

    def replace(obj, /, **changes):
        """A copy of the record ``obj`` with ``changes`` (as :func:`dataclasses.replace`)."""
        cls = type(obj)
        for name in cls.__record_fields__:
            if name not in changes:
                changes[name] = obj.__dict__[name]
        return cls(**changes)

    _MISSING = object()

    def _init(self, /, *args, **kwargs):
        cls = type(self)
        names = cls.__record_fields__
        if not kwargs:
            given = len(args)
            if given == len(names):  # the common call: every field, in order
                self.__dict__.update(zip(names, args, strict=True))
                return
            tail = cls.__record_tail__  # the next common one: the first fields, the plain defaults after them
            if tail is not None and len(names) - len(tail) <= given < len(names):
                self.__dict__.update(zip(names, args + tail[given - len(names):], strict=True))
                return
        if len(args) > len(names):
            raise TypeError(f"{cls.__qualname__}() takes {len(names)} arguments but {len(args)} were given")
        own = self.__dict__
        own.update(zip(names, args, strict=False))
        defaults, used = cls.__record_defaults__, 0
        for name in names[len(args):]:
            if name in kwargs:
                own[name] = kwargs[name]
                used += 1
                continue
            default = defaults.get(name, _MISSING)
            if default is _MISSING:
                raise TypeError(f"{cls.__qualname__}() missing required argument {name!r}")
            own[name] = default.factory() if type(default) is _Factory else default
        if used != len(kwargs):
            raise TypeError(f"{cls.__qualname__}() got an unexpected or repeated argument "
                            f"{next(k for k in kwargs if k not in names[len(args):])!r}")

    def _eq(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        values = self.__record_values__
        return values(self) == values(other)

    def _hash(self):
        return hash(self.__record_values__(self))

    def _repr(self):
        d = self.__dict__
        inner = ", ".join(f"{name}={d[name]!r}" for name in type(self).__record_fields__)
        return f"{type(self).__qualname__}({inner})"

    def _frozen(self, name, *_value):
        import dataclasses

        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    class _DataclassFields:
        """``__dataclass_fields__``, made when first asked for (it needs :mod:`dataclasses`)."""

        def __get__(self, obj, cls):
            import dataclasses

            made = {}
            for name in cls.__record_fields__:
                default = cls.__record_defaults__.get(name, _MISSING)
                if default is _MISSING:
                    made[name] = dataclasses.field()
                elif type(default) is _Factory:
                    made[name] = dataclasses.field(default_factory=default.factory)
                else:
                    made[name] = dataclasses.field(default=default)
                made[name].name = name
                made[name].type = cls.__annotations__[name]
                made[name]._field_type = dataclasses._FIELD
            cls.__dataclass_fields__ = made
            return made

    _OWN = frozenset({"__init__", "__eq__", "__hash__", "__repr__", "__setattr__", "__delattr__",
                      "__post_init__", "__slots__", "__dataclass_fields__"})

    def _build(cls, frozen):
        if any(hasattr(base, "__record_fields__") or hasattr(base, "__dataclass_fields__")
               for base in cls.__mro__[1:]) or _OWN & set(cls.__dict__):
            raise TypeError(f"@record does not support {cls.__qualname__}'s form; use @dataclass")
        names = tuple(cls.__dict__.get("__annotations__", {}))  # noqa: RUF063 (inspect is what records avoid)
        defaults = {}
        for name in names:
            kind = cls.__annotations__[name]
            if not isinstance(kind, str) or kind.startswith(("ClassVar", "InitVar", "typing.ClassVar")):
                raise TypeError(f"@record does not support the field {cls.__qualname__}.{name}: {kind!r}")
            if name in cls.__dict__:
                defaults[name] = cls.__dict__[name]
                if type(defaults[name]) is _Factory:
                    delattr(cls, name)  # as a dataclass: no class attribute for a default_factory field
            elif defaults:
                raise TypeError(f"non-default argument {name!r} follows default argument")
        cls.__record_fields__ = names
        cls.__record_defaults__ = defaults
        plain = not any(type(default) is _Factory for default in defaults.values())
        cls.__record_tail__ = tuple(defaults.values()) if plain and defaults else None  # the last fields' defaults
        cls.__match_args__ = names
        get = operator.attrgetter(*names) if len(names) > 1 else lambda obj: tuple(getattr(obj, n) for n in names)
        cls.__record_values__ = staticmethod(get)
        cls.__init__ = _init
        cls.__eq__ = _eq
        cls.__repr__ = _repr
        cls.__dataclass_fields__ = _DataclassFields()
        if frozen:
            cls.__hash__ = _hash
            cls.__setattr__ = _frozen
            cls.__delattr__ = _frozen
        else:
            cls.__hash__ = None
        return cls

    def record(cls=None, /, *, frozen=False):
        """The class, made a record (``@record`` or ``@record(frozen=True)``)."""
        if cls is None:
            return lambda c: _build(c, frozen)
        return _build(cls, frozen)


__all__ = ["field", "record", "replace"]
