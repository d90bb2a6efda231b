"""A small named-plugin registry, in the spirit of rdflib's plugin registry and spaCy's `registry`.

Plugins register themselves under a name when their module is imported (a decorator); the
pipeline looks them up by name. Adding a digest variant or an output format is one new module
with one decorator, not edits across the tree.

A plugin whose module is heavy (the spaCy extractor, the pyvis view) is declared lazily by
module path instead (`add_lazy("spacy", "kg.concepts.spacy_extractor")`), as rdflib declares
its parsers: its name is known at once, and its module is imported the first time the plugin is
asked for, so that `import kg`, `kg --help` and `kg query` never load spaCy.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class _Lazy:
    module: str  # whose import registers the plugin


class Registry(Generic[T]):
    """Maps names to plugins of one kind, keeping registration order (the sniffing order)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T | _Lazy] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def decorator(item: T) -> T:
            if name in self._items and not isinstance(self._items[name], _Lazy):
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._items[name] = item
            return item

        return decorator

    def add_lazy(self, name: str, module: str) -> None:
        """Declare `name`, registered by `module` when it is first asked for."""
        self._items.setdefault(name, _Lazy(module))

    def get(self, name: str) -> T:
        try:
            item = self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise KeyError(f"unknown {self.kind} {name!r} (known: {known})") from None
        if isinstance(item, _Lazy):
            importlib.import_module(item.module)
            item = self._items[name]
            if isinstance(item, _Lazy):
                raise RuntimeError(f"{item.module} did not register the {self.kind} {name!r}")
        return item

    def names(self) -> list[str]:
        return list(self._items)

    def __iter__(self) -> Iterator[tuple[str, T]]:
        return iter([(name, self.get(name)) for name in self._items])

    def __contains__(self, name: object) -> bool:
        return name in self._items
