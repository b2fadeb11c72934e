"""One lifecycle kernel and one simulator (issue 25), kept so by reading the source.

- Only `sigap/reports/lifecycle.py` moves a report: no other module calls
  `workflow.next_status`, assigns a report's `status`, or stamps a milestone
  (`first_response_at`, `verified_at`, ...). `workflow.check` may ask the state machine.
- Only `sigap/capacity/engine.py` schedules simulated time: no other module builds a SimPy
  environment or runs its own event loop over a heap (`heapq.heappop`), and no other module
  defines an arrival or a simulated report type of its own.

Read with `ast` (nothing is imported), like tests/test_layers.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

from sigap.reports.lifecycle import MILESTONE_FIELDS

ROOT = Path(__file__).resolve().parent.parent
SIGAP = ROOT / "sigap"
KERNEL = SIGAP / "reports" / "lifecycle.py"
STATE_MACHINE = SIGAP / "reports" / "workflow.py"
ENGINE = SIGAP / "capacity" / "engine.py"
MOVED_FIELDS = MILESTONE_FIELDS | {"status"}


def sources():
    for path in sorted(SIGAP.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path, ast.parse(path.read_text())


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def test_only_the_kernel_moves_a_report():
    found = []
    for path, tree in sources():
        if path == KERNEL:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and called(node) == "next_status" \
                    and path != STATE_MACHINE:
                found.append(f"{where(path, node)} calls next_status")
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            for target in targets:
                for item in (target.elts if isinstance(target, ast.Tuple) else [target]):
                    if isinstance(item, ast.Attribute) and item.attr in MOVED_FIELDS \
                            and not (isinstance(item.value, ast.Name)
                                     and item.value.id == "self"):
                        found.append(f"{where(path, node)} sets .{item.attr}")
            if isinstance(node, ast.Call) and called(node) == "setattr" and len(node.args) > 1 \
                    and isinstance(node.args[1], ast.Constant) \
                    and node.args[1].value in MOVED_FIELDS:
                found.append(f"{where(path, node)} setattr {node.args[1].value}")
    assert not found, "a report moved outside reports/lifecycle.py:\n" + "\n".join(found)


def test_only_the_engine_simulates_time():
    found = []
    for path, tree in sources():
        if path == ENGINE:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and called(node) in ("Environment", "heappop"):
                found.append(f"{where(path, node)} {called(node)}()")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                if any(n == "simpy" or n.startswith("simpy.") for n in names):
                    found.append(f"{where(path, node)} imports simpy")
            if isinstance(node, ast.ClassDef) and (node.name == "Arrival" and path.name !=
                                                   "citymodel.py" or "Sim" in node.name):
                found.append(f"{where(path, node)} defines {node.name}")
    assert not found, "a second simulator:\n" + "\n".join(found)


def test_the_guards_see_what_they_look_for():
    # The kernel itself sets the fields, and the engine holds a SimPy loop: if these checks
    # stopped finding them there, the tests above would pass for nothing.
    kernel = ast.parse(KERNEL.read_text())
    assert any(isinstance(n, ast.Attribute) and n.attr == "status"
               and isinstance(n.ctx, ast.Store) for n in ast.walk(kernel))
    engine = ast.parse(ENGINE.read_text())
    assert any(isinstance(n, ast.Call) and called(n) == "Environment" for n in ast.walk(engine))
