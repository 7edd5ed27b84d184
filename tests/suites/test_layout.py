"""The integration's inner boundaries, checked on its source.

`slack_client/`, `delivery/` and `pictures/` are used through their
`__init__` only: the rest of the integration imports neither their modules
nor a name their `__all__` does not hold. The client imports nothing of Home Assistant or of
the integration (ruff's nested config bans Home Assistant too), and its
`__all__` holds only what the integration uses.

In tests/, what the tests share lives in tests/helpers/ and the conftests:
no test module imports another test module or a conftest.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from custom_components.slack_webhook import delivery, pictures, slack_client
from tests.helpers.paths import INTEGRATION, REPO

PACKAGES = {"slack_client": slack_client, "delivery": delivery, "pictures": pictures}

type Import = tuple[Path, tuple[str, ...], str]
"""A module, the integration-relative module it imports from, and the name."""


def _imports(path: Path) -> Iterator[Import]:
    """Yield what a module of the integration imports from the integration."""
    package = path.relative_to(INTEGRATION).parent.parts
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            module = (*base, *(node.module or "").split(".")) if node.module else base
            for alias in node.names:
                if node.module:
                    yield path, module, alias.name
                else:
                    yield path, (*module, alias.name), "*"


def _outside(package: str) -> Iterator[Import]:
    """Yield the integration's imports in modules outside a subpackage."""
    for path in sorted(INTEGRATION.rglob("*.py")):
        if path.relative_to(INTEGRATION).parts[0] != package:
            yield from _imports(path)


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_subpackages_are_used_through_their_public_names(package: str) -> None:
    """Outside a subpackage, only its __init__'s __all__ is imported."""
    public = set(PACKAGES[package].__all__)
    wrong = [
        f"{path.relative_to(INTEGRATION)}: {'.'.join(module)} {name}"
        for path, module, name in _outside(package)
        if module[:1] == (package,) and (module != (package,) or name not in public)
    ]
    assert not wrong


def test_client_exports_only_what_the_integration_uses() -> None:
    """Every name of slack_client's __all__ is imported somewhere in the integration."""
    used = {
        name
        for _, module, name in _outside("slack_client")
        if module == ("slack_client",)
    }
    assert sorted(set(slack_client.__all__) - used) == []


def test_client_imports_nothing_of_home_assistant_or_the_integration() -> None:
    """The client's modules import only the standard library, aiohttp and each other."""
    wrong = []
    for path in sorted((INTEGRATION / "slack_client").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level > 1:
                    wrong.append(f"{path.name}: {'.' * node.level}{node.module}")
                modules = [node.module or ""] if not node.level else []
            else:
                continue
            wrong += [
                f"{path.name}: {module}"
                for module in modules
                if module.split(".")[0] in {"homeassistant", "custom_components"}
            ]
    assert not wrong


TESTS = REPO / "tests"


def _test_imports(path: Path) -> Iterator[str]:
    """Yield the absolute names of the modules a module under tests/ imports from."""
    package = path.relative_to(REPO).with_suffix("").parts[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join((*base, *filter(None, [node.module])))
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def test_no_test_module_imports_another() -> None:
    """Tests share through tests/helpers/ and fixtures, never by importing a test module or conftest."""
    wrong = [
        f"{path.relative_to(REPO)}: {module}"
        for path in sorted(TESTS.rglob("*.py"))
        for module in _test_imports(path)
        if module.split(".")[0] == "tests"
        and module.split(".")[-1].startswith(("test_", "conftest"))
    ]
    assert not wrong


def test_helpers_live_in_tests_helpers() -> None:
    """Outside tests/helpers/, tests/ holds only test modules, conftests and packages."""
    wrong = [
        str(path.relative_to(REPO))
        for path in sorted(TESTS.rglob("*.py"))
        if "helpers" not in path.relative_to(TESTS).parts[:1]
        and not path.name.startswith("test_")
        and path.name not in {"conftest.py", "__init__.py"}
    ]
    assert not wrong
