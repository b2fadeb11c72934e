"""The import structure of sigap/: layers without cycles (STYLE.md §17).

Read from the source with `ast` (nothing is imported): every import of a Sigap module, at
the top of a module or inside a function, is an arrow. The test fails on a cycle, on an
arrow from a lower layer to a higher one, and on an import inside a function or class
without a comment (on its line or the line above) that says why it is there.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIGAP = ROOT / "sigap"

# Lowest first; an app not listed is an adapter (the top layer).
LAYERS = ["lib", "cities", "agencies", "accounts", "reports", "notifications"]
TOP = len(LAYERS)

# Arrows that point up on purpose, each with its reason. Neither closes a cycle (the test
# above would fail), and each is a move left for later, not a pattern to copy.
ALLOWED_UPWARD = {
    # The city pack loader loads a whole city, its agencies and categories included; it is
    # called as sigap.cities.citypack by the setup command, the tests and the demo.
    ("sigap.cities.citypack", "sigap.agencies.models"),
    # Sign-in codes travel by the notification channels' transport (e-mail, SMS gateway),
    # a module without models; moving it under sigap/lib would collide with the WhatsApp
    # channel work on that module.
    ("sigap.accounts.services", "sigap.notifications.channels"),
    ("sigap.accounts.tasks", "sigap.notifications.channels"),
    ("sigap.accounts.views", "sigap.notifications.channels"),
}


def modules() -> dict[str, Path]:
    found = {}
    for path in SIGAP.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def resolve(target: str, names: list[str], known: dict[str, Path]) -> list[str]:
    """The Sigap modules an import statement loads (a package's module when named)."""
    out = []
    for name in names or [None]:
        full = f"{target}.{name}" if name else target
        if full in known:
            out.append(full)
        elif target in known:
            out.append(target)
    return sorted(set(out))


def imports(path: Path, known: dict[str, Path]):
    """Yield (target module, line, at top level, commented) for each Sigap import."""
    source = path.read_text()
    lines = source.splitlines()
    tree = ast.parse(source)
    top = set(map(id, tree.body))
    for node in tree.body:  # `if TYPE_CHECKING:` blocks and try/except at the top count as top
        if isinstance(node, (ast.If, ast.Try)):
            top |= {id(n) for n in ast.walk(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
            found = [t for t in targets if t.startswith("sigap")]
            resolved = [r for t in found for r in resolve(t, [], known)]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.startswith("sigap"):
            resolved = resolve(node.module, [a.name for a in node.names], known)
        else:
            continue
        line = node.lineno
        commented = "#" in lines[line - 1] or _comment_above(lines, line)
        for target in resolved:
            yield target, line, id(node) in top, commented


def _comment_above(lines: list[str], line: int) -> bool:
    """Whether a comment stands right above this import or the block of imports it is in."""
    i = line - 2
    while i >= 0 and lines[i].strip().startswith(("from ", "import ")):
        i -= 1
    return i >= 0 and lines[i].strip().startswith("#")


def layer(module: str) -> int:
    parts = module.split(".")
    app = parts[1] if len(parts) > 1 else ""
    return LAYERS.index(app) if app in LAYERS else TOP


def graph():
    known = modules()
    edges: dict[str, set[str]] = {name: set() for name in known}
    hidden, upward = [], []
    for name, path in known.items():
        if name.count(".") < 1 or name in ("sigap.settings", "sigap.urls", "sigap.cli",
                                          "sigap.wsgi", "sigap.apps"):
            continue  # the project's own wiring stands above every layer
        for target, line, at_top, commented in imports(path, known):
            if target == name:
                continue
            edges[name].add(target)
            where = f"{path.relative_to(ROOT)}:{line} imports {target}"
            if not at_top and not commented:
                hidden.append(where)
            if layer(target) > layer(name) and (name, target) not in ALLOWED_UPWARD:
                upward.append(where)
    return edges, hidden, upward


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_sigap_has_no_import_cycle():
    edges, _hidden, _upward = graph()
    assert cycles(edges) == []


def test_no_layer_imports_a_higher_one():
    _edges, _hidden, upward = graph()
    assert upward == []


def test_every_import_inside_a_function_says_why():
    _edges, hidden, _upward = graph()
    assert hidden == []


def test_the_checker_sees_a_cycle_and_a_hidden_import():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    edges, hidden, _upward = graph()
    assert edges["sigap.reports.services"]  # it reads real imports
