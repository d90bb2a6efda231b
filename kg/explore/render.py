"""The explorer's pages as HTML: Jinja2 templates (`templates/`) over the data of
`kg.explore.pages`, every text escaped (autoescape), links made here so that every page
names its nodes alike.

Pages link to `/static/explorer.css` and `/static/explorer.js` (no inline script or style, so
that the server's Content-Security-Policy can forbid both); `offline=True` inlines them
instead, for a page saved as one file.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyvis
from jinja2 import Environment, FileSystemLoader

from kg.explore.pages import CONCEPT_TYPES
from kg.explore.urls import author_url, category_url, concept_url, day_url, hit_url, paper_url

VIS = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"  # vis-network, as pyvis ships it
STATIC = {"explorer.css": "text/css", "explorer.js": "text/javascript",
          "vis-network.min.js": "text/javascript", "vis-network.css": "text/css"}


@cache
def static_file(name: str) -> str:
    """One of the STATIC files: the explorer's own, or vis-network's from pyvis."""
    if name.startswith("vis-network"):
        return (VIS / name).read_text("utf-8")
    return resources.files("kg.explore").joinpath(f"static/{name}").read_text("utf-8")


@cache
def _environment() -> Environment:
    folder = resources.files("kg.explore").joinpath("templates")
    env = Environment(loader=FileSystemLoader(str(folder)), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(paper_url=paper_url, author_url=author_url, concept_url=concept_url,
                       category_url=category_url, day_url=day_url, hit_url=hit_url,
                       concept_types=CONCEPT_TYPES)
    return env


def render(template: str, graph: str, *, offline: bool = False, **context: Any) -> str:
    """Page `template` (`paper`, `author`, ... in `templates/`) of the build called `graph`;
    a `drawn` drawing (`kg.explore.maps.as_json`) brings vis-network into the page."""
    inlined = {"css": static_file("explorer.css"), "js": static_file("explorer.js"),
               "vis_css": static_file("vis-network.css"),
               "vis_js": static_file("vis-network.min.js")} if offline else None
    return _environment().get_template(f"{template}.html").render(
        graph=graph, offline=inlined, **context)
