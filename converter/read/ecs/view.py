"""A Reader seen through ECS API spelling, so one parser reads API JSON and CloudFormation alike.

Parsers write paths as the ECS API spells them (``("containerDefinitions", 0, "portMappings")``). For a
CloudFormation resource the view respells each step (``ContainerDefinitions``) and resolves intrinsic
functions where the template fixes the value; what it cannot resolve is named in a finding (K2E-W704)
and counts as accounted for. Every path still lands in the underlying Reader, so the no-silent-loss
bookkeeping (``Reader.finish``) is the same as for Kubernetes input.
"""

from __future__ import annotations

from typing import Any, Iterator

from converter.read.ecs.intrinsics import ResourceRef, Template, Unresolved, is_intrinsic, resolve
from converter.core.findings import Origin
from converter.core.reader import Path, Reader

_MISSING = object()
# CloudFormation property names that are not the API member name with its first letter raised (the
# AWS::ECS::TaskDefinition and AWS::ECS::Service resource schemas: Volume.EFSVolumeConfiguration,
# Service.PlacementStrategies, ProxyConfiguration.ProxyConfigurationProperties). The one table of them:
# API_NAMES, the other way, is derived from it.
CFN_NAMES = {"efsVolumeConfiguration": "EFSVolumeConfiguration", "placementStrategy": "PlacementStrategies"}
CFN_NESTED = {("proxyConfiguration", "properties"): "ProxyConfigurationProperties"}  # (parent member, member)
API_NAMES = {cfn: api for api, cfn in CFN_NAMES.items()} | {cfn: pair[1] for pair, cfn in CFN_NESTED.items()}


def cfn_name(member: str, parent: Any = None) -> str:
    """The CloudFormation property name of API member ``member`` (inside ``parent``)."""
    return CFN_NESTED.get((parent, member)) or CFN_NAMES.get(member) or member[:1].upper() + member[1:]


def api_name(prop: str) -> str:
    """The API member name of CloudFormation property ``prop``: cfn_name read backwards."""
    return API_NAMES.get(prop) or prop[:1].lower() + prop[1:]


def _spelled(path: Path) -> tuple[Any, ...]:
    """The CloudFormation spelling of the steps of ``path`` (EcsView.spell without the base)."""
    steps: list[Any] = []
    previous: Any = None
    for step in path:
        cls = step.__class__
        if cls is str:
            steps.append(cfn_name(step, previous))
            previous = step
        elif cls is Key:
            steps.append(str(step))  # data, not a member: the parent stays the member before it
        else:
            if isinstance(step, str):  # another str subclass: not respelled, as Key
                steps.append(str(step) if isinstance(step, Key) else step)
                continue
            previous = None
            steps.append(step)
    return tuple(steps)


# Paths of plain steps, spelled: the parsers ask for a few thousand distinct paths, each hundreds of times
# in a large template (half of EcsView.spell's time, issue 24). The spelling depends only on the tables
# above, so the cache is emptied when a view is made after they changed (tests change them), and it is
# bounded for inputs whose paths would not repeat.
# Each entry is the whole path the Reader is given, base included (every resource of a template has the
# same base, ("Properties",)), so a read costs one lookup and no tuple concatenation: EcsView.spell was
# 1.2 million calls for the 16 MB template of the 10 MB bench bundle.
_PLAIN_STEPS = frozenset((str, int))
_MAX_SPELLED = 100_000
_SPELLED: dict[tuple[Any, ...], dict[tuple[Any, ...], tuple[Any, ...]]] = {}  # base -> path -> base + spelling
_SPELLED_WITH: tuple[dict[Any, str], dict[Any, str]] = ({}, {})


def _spelled_anew() -> None:
    global _SPELLED_WITH
    _forget_spellings()
    _SPELLED_WITH = (dict(CFN_NAMES), dict(CFN_NESTED))


def _forget_spellings() -> None:
    """Empty every cache in place: views hold theirs, and every one stays in _SPELLED for Key to empty."""
    for spellings in _SPELLED.values():
        spellings.clear()


def _spellings(base: tuple[Any, ...]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """The cache of spelled paths under ``base``, emptied when the caches together reach _MAX_SPELLED."""
    found = _SPELLED.get(base)
    if found is None:
        if sum(map(len, _SPELLED.values())) >= _MAX_SPELLED:
            _forget_spellings()
        found = _SPELLED[base] = {}
    return found


class Key(str):
    """A path step that is data, not a field name (a docker label, a log option): never respelled.

    Key("x") == "x", so a path with a Key step would find the cached spelling of the equal plain path. The
    text of every Key is kept (_KEY_TEXTS); a plain path holding one is never cached, and a new one empties
    the caches. So a path found in the cache is plain, and EcsView.spell looks it up before looking at its
    steps' types (which was most of its time: 1 million reads of a 16 MB template, issue 24)."""

    __slots__ = ()

    def __new__(cls, text: str) -> "Key":
        made = super().__new__(cls, text)
        if made not in _KEY_TEXTS:
            _KEY_TEXTS.add(str(made))
            _forget_spellings()
        return made


_KEY_TEXTS: set[str] = set()

# API JSON's paths, as the Reader is given them (base + path), one tuple per distinct path: each view made its
# own for every read, and each reader's set of the paths it consumed kept them to the end of the run (50,000
# tuples of 370 distinct paths at 1 MB of manifests, 3.3 MB; a tenth of the 10 MB stdout document's peak,
# issue 24). No respelling: a path with a Key step, never admitted, finds its equal plain one, whose text is
# the same. Bounded as _SPELLED is.
_GIVEN: dict[tuple[Any, ...], dict[tuple[Any, ...], tuple[Any, ...]]] = {}  # base -> path -> base + path


def _given(base: tuple[Any, ...]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    found = _GIVEN.get(base)
    if found is None:
        if sum(map(len, _GIVEN.values())) >= _MAX_SPELLED:
            for paths in _GIVEN.values():
                paths.clear()
        found = _GIVEN[base] = {}
    return found


class EcsView:
    def __init__(self, reader: Reader, base: Path = (), template: Template | None = None) -> None:
        self.reader = reader
        self.base = tuple(base)
        self.template = template  # set for a CloudFormation resource: PascalCase and intrinsics
        if template is not None and _SPELLED_WITH != (CFN_NAMES, CFN_NESTED):
            _spelled_anew()
        self._spelled = _spellings(self.base) if template is not None else None
        self._given = _given(self.base) if template is None else None

    @property
    def cfn(self) -> bool:
        return self.template is not None

    def spell(self, path: Path) -> Path:
        """The Reader's path of ``path``. Called once per field a parser reads (1.2 million times for a
        16 MB template, issue 24), so each method spells its path once and passes the spelling on, and a
        path of plain ``str`` and ``int`` steps is spelled once per run (_SPELLED)."""
        spellings = self._spelled
        if spellings is None:
            given = self._given
            if path.__class__ is tuple:
                full = given.get(path)
                if full is not None:
                    return full
            full = self.base + tuple(path)
            if _PLAIN_STEPS.issuperset(map(type, path)):
                if len(given) >= _MAX_SPELLED:
                    given.clear()
                given[tuple(path)] = full
            return full
        if path.__class__ is tuple:
            full = spellings.get(path)
            if full is not None:
                return full  # a plain path (Key: a path with a Key step is never in the cache)
        if _PLAIN_STEPS.issuperset(map(type, path)) and _KEY_TEXTS.isdisjoint(path):
            if len(spellings) >= _MAX_SPELLED:
                spellings.clear()
            key = tuple(path)
            full = spellings[key] = self.base + _spelled(key)
            return full
        return self.base + _spelled(path)

    # -- locating and raw access ----------------------------------------------------------------------
    def origin(self, path: Path = ()) -> Origin:
        return self.reader.origin(self.spell(path))

    def raw(self, path: Path, default: Any = None) -> Any:
        return self.reader.raw(self.spell(path), default)

    def _raw_spelled(self, path: Path, default: Any = None) -> tuple[Any, Path]:
        spelled = self.spell(path)
        return self.reader.raw(spelled, default), spelled

    def has(self, path: Path) -> bool:
        return self.reader.has(self.spell(path))

    def filled_or_taken(self, path: Path) -> bool:
        """filled(path); when it is not, the path is taken (consumed) as well: ``if view.filled(p): ... else:
        view.take(p)`` with one spelling and one read instead of two of each. The parsers ask this of every
        field with no Kubernetes counterpart, most of them absent: about a fifth of the view's reads of a
        CloudFormation template (issue 24)."""
        spelled = self.spell(path)
        value = self.reader.raw(spelled, _MISSING)
        if value is not _MISSING and value is not None and value != [] and value != {}:
            return True
        self.reader.consumed.add(spelled)  # Reader.take, whose value would be thrown away
        return False

    def filled(self, path: Path) -> bool:
        """Present with something in it (not null, not an empty list or mapping)."""
        value = self.raw(path, _MISSING)
        return value is not _MISSING and value is not None and value != [] and value != {}

    # -- consuming -------------------------------------------------------------------------------------
    def get(self, path: Path, *types: type, default: Any = None) -> Any:
        spelled = self.spell(path)
        reader = self.reader
        value = reader.raw(spelled, _MISSING)
        # The value is read once here, and what Reader.get does with it is done here for the common cases
        # (absent, or a string where a string is wanted: most reads); the rest goes to Reader.get, which reads
        # it again. Each value of a template was read twice, three times with Reader.get's (issue 24).
        if value is _MISSING:
            return default
        cls = value.__class__
        if cls is str and (not types or str in types):
            reader.consumed.add(spelled)  # Reader.get's bookkeeping for a str of a wanted type (no range to check)
            return value
        if self.template is not None:  # API JSON has neither intrinsics nor numbers written as strings
            if cls is not str and is_intrinsic(value):
                return self._resolved(path, value, types, default)
            if types and str not in types and isinstance(value, str):
                coerced = _scalar(value, types)  # CloudFormation writes numbers and booleans as strings too
                if coerced is not None:
                    reader.take(spelled)
                    return coerced
        return reader.get(spelled, *types, default=default)

    def _resolved(self, path: Path, value: Any, types: tuple[type, ...], default: Any) -> Any:
        assert self.template is not None
        try:
            resolution = resolve(value, self.template)
        except Unresolved as err:
            self.note(path, "K2E-W704", f"{_show(value)} cannot be resolved: {err}")
            return default
        result = resolution.value
        if isinstance(result, ResourceRef) and ResourceRef not in types:
            self.note(path, "K2E-W704", f"{_show(value)} cannot be resolved: it names resource "
                      f"{result.logical_id}, whose value is known at deploy time")
            return default
        if types and not isinstance(result, ResourceRef):
            if int in types and isinstance(result, str) and result.lstrip("-").isdigit():
                result = int(result)  # CloudFormation Number parameters are often strings
            elif str in types and isinstance(result, (int, float)) and not isinstance(result, bool):
                result = str(result)
            if (bool not in types and isinstance(result, bool)) or not isinstance(result, types):
                self.fail(path, f"{_show(value)} resolves to {result!r}, not the expected type")
        self.reader.take(self.spell(path))
        for name in dict.fromkeys(resolution.given):
            self.note(path, "K2E-I742", f"{_show(value)} resolved with --parameter {name}: {result!r}", covers=False)
        for name in dict.fromkeys(resolution.defaults):
            self.note(path, "K2E-I705", f"{_show(value)} resolved with the Default of parameter {name}: {result!r}",
                      covers=False)
        return result

    def take(self, path: Path) -> Any:
        return self.reader.take(self.spell(path))

    def mapping(self, path: Path) -> dict[Any, Any]:
        spelled = self._intrinsic_container(path)
        if spelled is None:
            return {}
        return self.reader.mapping(spelled)

    def sequence(self, path: Path) -> Iterator[tuple[Path, Any]]:
        spelled = self._intrinsic_container(path)
        if spelled is None:
            return iter(())
        items = self.reader.sequence(spelled)
        return ((tuple(path) + (item_path[-1],), item) for item_path, item in items)

    def strings(self, path: Path) -> tuple[str, ...] | None:
        """A list of strings (a command, capabilities), each entry read as a string; None when absent or null."""
        if not self.has(path) or self.raw(path) is None:
            self.take(path)
            return None
        values = []
        for item_path, _ in self.sequence(path):
            value = self.get(item_path, str)
            if value is not None:
                values.append(value)
        return tuple(values)

    def _intrinsic_container(self, path: Path) -> Path | None:
        """None when ``path`` holds an intrinsic function (noted); else its spelling, for the Reader."""
        value, spelled = self._raw_spelled(path)
        if self.template is not None and is_intrinsic(value):
            self.note(path, "K2E-W704", f"{_show(value)} cannot be resolved: k2ecs reads lists and mappings only "
                      "when they are written out in the template")
            return None
        return spelled

    def string_map(self, path: Path) -> dict[str, str]:
        """A map of user keys to strings (docker labels, log options); intrinsic values resolved or noted."""
        result: dict[str, str] = {}
        for key, item in self.mapping(path).items():
            item_path = tuple(path) + (Key(key),)
            if not isinstance(key, str):
                self.fail(item_path, "a key must be a string")
            if self.template is not None and is_intrinsic(item):
                value = self.get(item_path, str)
                if value is not None:
                    result[key] = value
                continue
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                self.fail(item_path, "expected a string value")
            result[key] = str(item)
            self.reader.take(self.spell(item_path))
        return result

    def fail(self, path: Path, message: str) -> None:
        self.reader.fail(self.spell(path), message)

    # -- reporting -------------------------------------------------------------------------------------
    def note(self, path: Path, code: str, message: str, suggestion: str | None = None, *, covers: bool = True,
             **extra: Any) -> None:
        self.reader.note(self.spell(path), code, message, suggestion, covers=covers, **extra)

    def name(self, path: Path) -> str:
        """How the document spells ``path`` (for messages)."""
        return "/".join(str(step) for step in self.spell(path)[len(self.base):])


def note_together(reader: Any, keys: tuple[str, ...], code: str, message: Any) -> None:
    """Take each of ``keys`` the object has, and name them in one finding, at the first, that lists every
    path in its details: ``message(present)`` (an EcsView or a Reader: read-only fields, attributes)."""
    present = [key for key in keys if reader.has((key,))]
    for key in present:
        reader.take((key,))
    if present:
        reader.note((present[0],), code, message(present), paths=[reader.origin((key,)).path for key in present])


def note_read_only(reader: Any, keys: tuple[str, ...]) -> None:
    """note_together() of the read-only fields a describe call adds (K2E-I701)."""
    note_together(reader, keys, "K2E-I701", lambda present: f"read-only fields ignored: {', '.join(present)}")


def _scalar(text: str, types: tuple[type, ...]) -> Any:
    if bool in types and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if int in types and text.strip().lstrip("-").isdigit():
        return int(text)
    if float in types:
        try:
            return float(text)
        except ValueError:
            return None
    return None


def _show(value: Any) -> str:
    (key, argument), = value.items()
    text = repr(argument)
    return f"{key} {text if len(text) <= 60 else text[:57] + '...'}"
