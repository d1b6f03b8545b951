"""The one direction of imports: `app.core` is plumbing and imports no domain, no two packages of `app`
import each other (directly or round a cycle), nothing imports `reports`, and no import hides inside a
function (where it would dodge a cycle)."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
# Entry points above every package: they assemble the app and may import anything.
ENTRY_POINTS = {"main", "cli", "demo", "models", "generator"}


def _package_of(module: str) -> str | None:
    """`app.dues.service` -> "dues"; None for what is not in `app`."""
    parts = module.split(".")
    return parts[1] if parts[0] == "app" and len(parts) > 1 else None


def _imports() -> list[tuple[str, str, int, bool]]:
    """(importing package, imported package, line, inside a function) for every import in `app`."""
    found = []
    for path in APP.rglob("*.py"):
        relative = path.relative_to(APP.parent).with_suffix("")
        source = _package_of(".".join(relative.parts))
        tree = ast.parse(path.read_text(), str(path))
        nested = {
            id(node)
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(function)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            # Its own package too: an import inside a function of `app` is reported wherever it points.
            targets = {_package_of(name) for name in names} - {None}
            found += [(source, target, node.lineno, id(node) in nested) for target in targets]
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for source, target, _line, _nested in _imports():
        if source and source not in ENTRY_POINTS and target != source:
            graph.setdefault(source, set()).add(target)
    return graph


def test_core_imports_no_domain():
    assert {target for source, target, *_ in _imports() if source == "core"} <= {"core"}


def test_no_cycle_between_packages():
    graph = _graph()
    cycles = []

    def visit(package: str, path: list[str]) -> None:
        for target in sorted(graph.get(package, ())):
            if target in path:
                cycles.append(path[path.index(target) :] + [target])
            elif len(path) < 12:
                visit(target, path + [target])

    for package in sorted(graph):
        visit(package, [package])
    assert cycles == []


def test_nothing_imports_reports():
    importers = {source for source, target, *_ in _imports() if target == "reports" and source != "reports"}
    assert importers <= {"main"}


def test_no_import_inside_a_function():
    assert sorted({(source, line) for source, _target, line, nested in _imports() if nested}) == []
