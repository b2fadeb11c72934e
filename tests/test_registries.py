"""No hand-written registries in sigap/ (STYLE.md §5, §17): a lower layer that must call a
higher one sends a documented `django.dispatch.Signal`.

Read from the source with `ast` (nothing is imported). A registry, here, is a module-level
container (a list, dict or set, empty when the module loads) that a function fills with one
of its own arguments, and whose elements the module then calls: `for f in HANDLERS: f(...)`,
`[f(x) for f in HANDLERS]`, `HANDLERS[key](...)`, `HANDLERS.get(key)(...)`, or a name bound
from one of those and called. That is the shape of each of the six registries this test was
written against (`publicdata.on_change`, `outbox.on_event`, `accounts.on_verified` and
`on_account_deletion`, `citypack.on_load`, `notifications.register_sender`), whatever the
names, so a new one fails here however it is spelt. A container of objects whose methods are
called (memos to clear) or of values (caches) is not a registry of callables and passes.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIGAP = ROOT / "sigap"

CONTAINER_CALLS = {"list", "dict", "set", "defaultdict", "OrderedDict"}
ADDERS = {"append", "add", "insert", "appendleft", "setdefault", "extend", "update"}
VIEWS = {"values", "items", "copy"}
WRAPPERS = {"list", "tuple", "reversed", "sorted"}


def _empty_container(node) -> bool:
    if isinstance(node, (ast.List, ast.Set, ast.Tuple)):
        return not node.elts
    if isinstance(node, ast.Dict):
        return not node.keys
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        return name in CONTAINER_CALLS and not (name in {"list", "dict", "set"} and node.args)
    return False


def _module_containers(tree: ast.Module) -> set[str]:
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and _empty_container(node.value):
            found |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and node.value is not None \
                and _empty_container(node.value) and isinstance(node.target, ast.Name):
            found.add(node.target.id)
    return found


def _names_in(node) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _container_of(node) -> str | None:
    """The container name an expression reads: NAME, NAME[...] (a defaultdict's list)."""
    while isinstance(node, ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _filled_from_arguments(tree: ast.Module, containers: set[str]) -> set[str]:
    """The containers some function fills with one of its own arguments."""
    filled = set()
    for func in ast.walk(tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        a = func.args
        params = {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs,
                                  *filter(None, [a.vararg, a.kwarg])]}
        for node in ast.walk(func):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ADDERS:
                name = _container_of(node.func.value)
                values = [*node.args, *(k.value for k in node.keywords)]
                if name in containers and any(_names_in(v) & params for v in values):
                    filled.add(name)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Subscript) and _container_of(target) in containers \
                            and _names_in(node.value) & params:
                        filled.add(_container_of(target))
    return filled


def _reads_elements(node, containers: set[str]) -> str | None:
    """The container whose elements `node` yields: NAME, NAME.values(), list(NAME)..."""
    if isinstance(node, ast.Name) and node.id in containers:
        return node.id
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in VIEWS:
            return _reads_elements(func.value, containers)
        if isinstance(func, ast.Name) and func.id in WRAPPERS and node.args:
            return _reads_elements(node.args[0], containers)
    return None


def _picks_element(node, containers: set[str]) -> str | None:
    """The container one of whose elements `node` is: NAME[key], NAME.get(key)."""
    if isinstance(node, ast.Subscript):
        name = _container_of(node)
        return name if name in containers else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "get" and isinstance(node.func.value, ast.Name) \
            and node.func.value.id in containers:
        return node.func.value.id
    return None


def _called(tree: ast.Module, containers: set[str]) -> set[str]:
    """The containers whose elements the module calls."""
    aliases: dict[str, str] = {}  # a local name bound to an element -> its container
    called = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            name = _reads_elements(node.iter, containers)
            if name:
                aliases.update(dict.fromkeys(_names_in(node.target), name))
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and node.value:
            name = _picks_element(node.value, containers)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if name:
                for target in targets:
                    aliases.update(dict.fromkeys(_names_in(target), name))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in aliases:
            called.add(aliases[node.func.id])
        name = _picks_element(node.func, containers)
        if name:
            called.add(name)
    return called


def registries_in(source: str) -> list[str]:
    """Return the names of the hand-written registries of callables in a module's source."""
    tree = ast.parse(source)
    containers = _module_containers(tree)
    if not containers:
        return []
    return sorted(_filled_from_arguments(tree, containers) & _called(tree, containers))


def registries() -> list[str]:
    found = []
    for path in sorted(SIGAP.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        found += [f"{path.relative_to(ROOT)}: {name}"
                  for name in registries_in(path.read_text())]
    return found


def test_sigap_has_no_hand_written_registry():
    assert registries() == []


# The shapes of the six registries that were replaced by signals, and look-alikes that are not.
REGISTRIES = {
    "a list, a loop": """
        _listeners: list = []
        def on_change(listener):
            if listener not in _listeners:
                _listeners.append(listener)
        def changed(using):
            for listener in _listeners:
                listener(using)
    """,
    "a list, a comprehension": """
        _handlers = []
        def on_event(handler):
            _handlers.append(handler)
        def prepare(ids, now):
            return [w for w in (h(ids, now=now) for h in _handlers) if w]
    """,
    "a decorator": """
        PACK_LOADERS: list = []
        def on_load(loader):
            PACK_LOADERS.append(loader)
            return loader
        def load(city):
            for loader in list(PACK_LOADERS):
                loader(city)
    """,
    "a dict, a lookup": """
        _SENDERS: dict = {}
        def register_sender(channel, sender):
            _SENDERS[channel] = sender
        def send(channel, to):
            sender = _SENDERS.get(channel)
            if sender is not None and sender(to):
                return
    """,
    "a dict, called at once": """
        HOOKS = dict()
        class Registry:
            def add(self, key, hook):
                HOOKS.setdefault(key, hook)
        def run(key):
            return HOOKS[key]()
    """,
}

NOT_REGISTRIES = {
    "memos to clear": """
        _ALL = []
        class Memo:
            def __init__(self):
                _ALL.append(self)
        def clear_all():
            for memo in _ALL:
                memo.clear()
    """,
    "a cache of values": """
        _CACHE = {}
        def get(key, compute):
            if key not in _CACHE:
                _CACHE[key] = compute(key)
            return _CACHE[key]
    """,
    "a signal": """
        from django.dispatch import Signal
        changed = Signal()
        def notify(using):
            changed.send(sender=None, using=using)
    """,
    "a constant table of functions": """
        ACTIONS = {"a": len, "b": str}
        def act(name, value):
            return ACTIONS[name](value)
    """,
}


def test_the_checker_sees_each_shape_of_registry():
    for label, source in REGISTRIES.items():
        assert registries_in(textwrap.dedent(source)), label


def test_the_checker_passes_what_is_not_a_registry():
    for label, source in NOT_REGISTRIES.items():
        assert registries_in(textwrap.dedent(source)) == [], label
