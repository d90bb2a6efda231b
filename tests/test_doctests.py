"""The examples in kg's docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import kg

MODULES = [m.name for m in pkgutil.walk_packages(kg.__path__, "kg.")
           if not m.name.endswith("__main__")]  # importing __main__ would run the CLI


def _has_examples(name: str) -> bool:
    tests = doctest.DocTestFinder().find(importlib.import_module(name))
    return any(test.examples for test in tests)


WITH_EXAMPLES = [name for name in MODULES if _has_examples(name)]


def test_the_examples_are_found() -> None:
    assert "kg.draw" in WITH_EXAMPLES  # association_strength, concept_map


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
