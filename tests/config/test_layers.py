"""The package's shape: its modules import only those below them, and only ``sources``
reads the process environment."""

import ast
from pathlib import Path

import brisa.config

PACKAGE = Path(brisa.config.__file__).parent
# Lowest first, as the package docstring lists them.
LAYERS = [
    "resources",
    "urls",
    "parsers",
    "options",
    "sections",
    "sources",
    "resolve",
    "sensitive",
    "settings",
]


def _runtime_imports(path: Path) -> set[str]:
    """The ``brisa.config.*`` modules a module imports, leaving out ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text())
    guarded = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    return {
        node.module.removeprefix("brisa.config.")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and id(node) not in guarded
        and (node.module or "").startswith("brisa.config.")
    }


def test_every_module_is_in_the_layer_list():
    modules = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__"}
    assert modules == set(LAYERS)
    assert all(f"``{name}``" in brisa.config.__doc__ for name in LAYERS)


def test_modules_import_only_lower_layers():
    for rank, name in enumerate(LAYERS):
        imported = _runtime_imports(PACKAGE / f"{name}.py")
        assert imported <= set(LAYERS[:rank]), (name, imported - set(LAYERS[:rank]))


def _reads_environment(path: Path) -> bool:
    return any(
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
        and node.attr in ("environ", "environb", "getenv")
        for node in ast.walk(ast.parse(path.read_text()))
    )


def test_only_sources_reads_the_process_environment():
    assert {path.stem for path in PACKAGE.glob("*.py") if _reads_environment(path)} == {"sources"}
