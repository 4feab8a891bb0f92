"""The house keeps its shape (README, "Where code lives"): each area of a domain app is a folder,
no module names its area in a prefix, no import cycle among modules, no module over 600 lines, no
app imports another app's underscore names, the control list never imports licensing, and the
README's map names folders that exist. Tests, migrations, benchmarks and scripts are not read."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "tests", "benchmarks", "scripts", "node_modules", "var", "static", "staticfiles", "templates",
        "locale", "migrations", "media"}
DOMAIN_APPS = ("controllist", "licensing", "enduser", "compliance")
LAYER_PREFIX = re.compile(r"^(views|api|serializers|urls|tasks|services|selectors|forms|panels)_[a-z_]+\.py$")


def project_modules() -> dict[str, Path]:
    modules = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if any(part in SKIP or part.startswith(".") for part in parts[:-1]):
            continue
        name = ".".join(parts)[:-3]
        modules[name.removesuffix(".__init__")] = path
    return modules


def imports_of(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every absolute import in the file, inside functions too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    def known(name):
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    graph = {name: set() for name in modules}
    for name, path in modules.items():
        for module, names in imports_of(path):
            targets = [f"{module}.{n}" if f"{module}.{n}" in modules else module for n in names] or [module]
            for target in map(known, targets):
                is_own_package = name.startswith(target + ".") and modules[target].name == "__init__.py"
                if target and target != name and not is_own_package:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


@pytest.fixture(scope="module")
def modules():
    return project_modules()


def test_the_checker_finds_a_cycle_and_ignores_a_chain():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycle_among_modules(modules):
    assert cycles(import_graph(modules)) == []


def test_no_module_names_its_area_in_a_prefix(modules):
    assert [str(p.relative_to(ROOT)) for p in modules.values() if LAYER_PREFIX.match(p.name)] == []


def test_no_module_over_600_lines(modules):
    long = {str(p.relative_to(ROOT)): n for p in modules.values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}


def test_no_app_imports_another_apps_underscore_names(modules):
    private = []
    for name, path in modules.items():
        for module, names in imports_of(path):
            if module.split(".")[0] != name.split(".")[0]:
                private += [f"{path.relative_to(ROOT)}: {module}.{n}" for n in names if n.startswith("_")]
    assert private == []


def test_the_control_list_never_imports_licensing(modules):
    upward = [f"{path.relative_to(ROOT)}: {module}" for name, path in modules.items() if name.startswith("controllist")
              for module, _names in imports_of(path) if module.split(".")[0] in ("licensing", "compliance")]
    assert upward == []


def test_areas_of_domain_apps_are_folders_with_the_layer_names(modules):
    """Inside an area folder, modules are named by layer (or by the area's own domain words), never
    <layer>_<something>; and no domain app keeps a layer folder (services/, views/, api/) of areas."""
    for app in DOMAIN_APPS:
        for layer_folder in ("services", "views", "api", "serializers", "selectors"):
            assert not (ROOT / app / layer_folder).is_dir(), f"{app}/{layer_folder}/ is a layer folder"


def test_readme_map_names_folders_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Where code lives", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`((?:licensing|controllist|enduser|compliance|portal|notifications)/[a-z_/]*?/?)`",
                           section))
    assert len(named) >= 15
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert missing == []
    areas = {p.parent.relative_to(ROOT).as_posix() + "/" for p in (ROOT / "licensing").glob("*/__init__.py")
             if p.parent.name not in ("management", "migrations")}
    areas |= {p.parent.relative_to(ROOT).as_posix() + "/" for p in (ROOT / "controllist").glob("*/__init__.py")
              if p.parent.name not in ("management", "migrations")}
    assert areas - named == set(), "every area folder is on the README's map"


def test_referrals_live_in_one_folder(modules):
    """A search for "referral" finds one folder (and the templates and tests that show it)."""
    files = [p.relative_to(ROOT) for p in modules.values()
             if re.search("referral|routing", p.relative_to(ROOT).as_posix())]
    assert len(files) >= 5 and {p.parent.as_posix() for p in files} == {"licensing/referrals"}
