"""How the project's modules may import one another, read from their source with `ast`; an import
inside a function counts, as it runs too, only later:

- no module imports itself back through others;
- lockdown.core imports no app, nor the rest of lockdown;
- the register (households but for its parts, households.spreadsheets and households.campaigns)
  imports neither part, nor the command centre (lockdown but for lockdown.core and the API's
  shared pieces in lockdown.api, which import no app, so that every app may register with them);
- a part imports the register, lockdown.core, lockdown.api and itself; campaigns may use
  spreadsheets (a campaign's sheet is a spreadsheet export), never the other way round;
- an app built on the register (volunteers, supplies …) imports the register, lockdown.core,
  lockdown.api and itself, and the register imports none of them; supplies may use volunteers (it
  hands its deliveries to their task list), never the other way round;
- only a urls module imports a views module.

And any module can be imported first: each one is, in a Django process of its own.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lockdown", "households", "volunteers", "supplies")
# The apps built on the register: each imports the register, lockdown.core, lockdown.api and itself.
APPS = ("volunteers", "supplies")
# An app may use another in this direction only: supplies hands deliveries to the volunteers' task list.
APP_USES = {"supplies": {"volunteers"}}
PARTS = ("households.spreadsheets", "households.campaigns")
API = "lockdown.api"
# A part may use another part in this direction only.
PART_USES = {"households.campaigns": {"households.spreadsheets"}}


def project_modules():
    """{dotted name: (path, is a package)} for every module of the project, migrations included."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


MODULES = project_modules()


def _module_of(name):
    """The project's module that `import name` (or `from ... import name`) runs last, or None."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module):
    """The project's modules that `module` imports, wherever in it the import statement is."""
    path, is_package = MODULES[module]
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(_module_of(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module
            # `from package import module` imports that module; `from module import name`, the module.
            found.update(_module_of(f"{source}.{alias.name}") for alias in node.names)
    return found - {None, module}


GRAPH = {module: imports_of(module) for module in MODULES}
EDGES = {(module, imported) for module, imported_set in GRAPH.items() for imported in imported_set}


def _within(module, *packages):
    return any(module == package or module.startswith(f"{package}.") for package in packages)


def _part_of(module):
    return next((part for part in PARTS if _within(module, part)), None)


def _is_views(module):
    last = module.rpartition(".")[2]
    return last == "views" or last.endswith("_views")


def broken_rules(module, imported):
    """The rules that `module` importing `imported` breaks, by name."""
    rules = []
    if _within(module, "lockdown.core") and not _within(imported, "lockdown.core"):
        rules.append("lockdown.core imports no app, nor the rest of lockdown")
    if module == API and not _within(imported, "lockdown.core"):
        rules.append("lockdown.api imports lockdown.core only")
    if _within(module, "households"):
        part = _part_of(module)
        if _within(imported, "lockdown") and not (_within(imported, "lockdown.core") or imported == API):
            rules.append("households imports no lockdown but lockdown.core and lockdown.api")
        if part is None and _part_of(imported):
            rules.append("the register imports none of its parts")
        if part and _part_of(imported) not in {None, part, *PART_USES.get(part, ())}:
            rules.append(f"{part} imports the register, lockdown.core, lockdown.api and itself")
    if _within(module, "households") and _within(imported, *APPS):
        rules.append("the register imports no app built on it")
    app = next((app for app in APPS if _within(module, app)), None)
    allowed = (app, *APP_USES.get(app, ()), "households", "lockdown.core", API) if app else ()
    if app and not (_within(imported, *allowed) and _part_of(imported) is None):
        rules.append(f"{app} imports the register, lockdown.core, lockdown.api and itself")
    if _is_views(imported) and module.rpartition(".")[2] != "urls":
        rules.append("only a urls module imports a views module")
    return rules


def cycles(edges):
    """Each set of modules that import one another in a ring (Tarjan's strongly connected components)."""
    graph = {}
    for module, imported in edges:
        graph.setdefault(module, set()).add(imported)
    index, lowest, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = lowest[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.get(module, ())):
            if imported not in index:
                visit(imported)
                lowest[module] = min(lowest[module], lowest[imported])
            elif imported in on_stack:
                lowest[module] = min(lowest[module], index[imported])
        if lowest[module] == index[module]:
            ring = []
            while module not in ring:
                ring.append(stack.pop())
                on_stack.discard(ring[-1])
            if len(ring) > 1:
                found.append(sorted(ring))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_the_reading_of_imports_sees_each_kind_of_import_statement():
    # Absolute, relative, `from package import module`, and inside a function
    assert {"households.models", "households.scoping", "households.services", API} <= GRAPH["households.api"]
    assert "households.selectors" in GRAPH["households.versions"]
    assert "households.models.areas" in GRAPH["households.models.register"]
    assert GRAPH["households.models"] >= {"households.models.areas", "households.models.campaigns"}
    assert {"households.scoping", "lockdown.core.transitions", "volunteers.models"} <= GRAPH["volunteers.task_list"]


def test_no_module_imports_itself_back_through_others():
    rings = cycles(EDGES)

    assert rings == []


def test_each_part_imports_only_what_it_leans_on():
    broken = {(module, imported): broken_rules(module, imported) for module, imported in sorted(EDGES)}

    assert {edge: rules for edge, rules in broken.items() if rules} == {}


def test_any_module_can_be_imported_first():
    # Given every module of the project but its migrations (Django's migration loader reads them)
    modules = [module for module in MODULES if ".migrations" not in module]
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "lockdown.settings", "DJANGO_LOG_LEVEL": "WARNING"}

    # When each is imported first in a Django process of its own (tests/import_first.py)
    result = subprocess.run(
        [sys.executable, "-m", "tests.import_first", *modules], cwd=ROOT, env=env, capture_output=True, text=True
    )

    # Then all of them import, and Django starts after each (a line per module that failed)
    assert result.stdout.splitlines() == []
    assert result.returncode == 0, result.stderr[-3000:]
