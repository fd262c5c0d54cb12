"""The floor plan holds (../shared/STYLE.md, issue #17): no import circle
among the project's modules, counting imports made inside functions (a late
import that dodges a circle is still a circle); no model or page imports a
view; the core imports no wing; and community/ keeps at most eight flat
modules, all core."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The design card's top level (DESIGN.md), bench/ and docs/ beside it, and
# locale/: issue #21 names it ("a locale/cy catalogue"), where Django finds
# the Welsh (LOCALE_PATHS). Hidden folders and what .gitignore names (the
# virtualenv, collected static files, test artifacts) are not the project's.
TOP_LEVEL = {
    "cms",
    "community",
    "chat",
    "home",
    "search",
    "templates",
    "media",
    "tests",
    "bench",
    "docs",
    "locale",
}
PACKAGES = ("cms", "community", "chat", "home", "search")
WINGS = (
    "safety",
    "moderation",
    "forums",
    "social",
    "notifications",
    "web",
    "rights",
    "survey",
    "insights",
    "safetyplan",
)
# Entries beside the wings: management commands may call any wing's actions.
ENTRIES = ("management",)
# The app's composition root: it registers each wing's content kinds and
# receivers, the way urls.py names each wing's views.
COMPOSITION_ROOTS = {"community.apps"}


def project_modules() -> dict[str, Path]:
    """Every module of the project's packages (not migrations), by name."""
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Which project modules each module imports, anywhere in its body."""

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[
                        : len(package.split(".")) - node.level + 1
                    ]
                    base = ".".join(parts + ([base] if base else []))
                targets = [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                found = resolve(target)
                if found and found != name:
                    graph[name].add(found)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def is_view(name: str) -> bool:
    return name.rpartition(".")[2] == "views"


def is_model_or_page(name: str) -> bool:
    return ".models" in f".{name}." or name.endswith(".models")


def is_safety(name: str) -> bool:
    return name == "community.safety" or name.startswith("community.safety.")


def is_core(name: str) -> bool:
    parts = name.split(".")
    return parts[0] == "community" and (
        len(parts) < 2 or parts[1] not in WINGS + ENTRIES
    )


def test_no_import_circles():
    graph = import_graph(project_modules())
    assert circles(graph) == []


def test_the_circle_finder_finds_a_late_import_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]


def test_no_model_or_page_imports_a_view():
    graph = import_graph(project_modules())
    offenders = {
        (name, target)
        for name, targets in graph.items()
        if is_model_or_page(name)
        for target in targets
        if is_view(target)
    }
    assert offenders == set()


def test_the_core_imports_no_wing_and_no_page():
    """The safety pipeline lies below the core: the access layer asks its
    registry what kind a row is."""
    graph = import_graph(project_modules())
    offenders = {
        (name, target)
        for name, targets in graph.items()
        if is_core(name) and name not in COMPOSITION_ROOTS
        for target in targets
        if target.split(".")[0] in ("community", "home")
        and not is_core(target)
        and not is_safety(target)
    }
    assert offenders == set()


def test_the_safety_pipeline_needs_only_the_models():
    graph = import_graph(project_modules())
    offenders = {
        (name, target)
        for name, targets in graph.items()
        if is_safety(name)
        for target in targets
        if not is_safety(target) and not target.startswith("community.models")
    }
    assert offenders == set()


def test_community_keeps_at_most_eight_flat_modules():
    flat = sorted(
        path.name
        for path in (ROOT / "community").glob("*.py")
        if path.name != "__init__.py"
    )
    assert len(flat) <= 8, flat


def test_every_wing_says_what_it_owns():
    for wing in WINGS:
        readme = ROOT / "community" / wing / "README.md"
        assert readme.exists(), wing
        assert "must not" in " ".join(readme.read_text().split()), wing


def test_every_access_check_and_do_states_its_contract():
    """Every public `access_*`, `check_*` and `do_*` has a docstring saying
    what it returns, raises or changes (issue #17)."""
    undocumented = []
    for name, path in project_modules().items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.name.startswith(("access_", "check_", "do_"))
                and not ast.get_docstring(node)
            ):
                undocumented.append(f"{name}.{node.name}")
    assert undocumented == []


def test_the_top_level_keeps_to_the_design_card():
    ignored = {
        line.strip().strip("/")
        for line in (ROOT / ".gitignore").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "!"))
    }
    folders = {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir() and not path.name.startswith(".") and path.name not in ignored
    }
    assert folders <= TOP_LEVEL, sorted(folders - TOP_LEVEL)
