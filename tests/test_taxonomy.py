"""The arXiv taxonomy table: official names, the group > archive > category levels, and codes
arXiv does not have kept as they are."""

from __future__ import annotations

import pytest

from kg import taxonomy


@pytest.mark.parametrize(("code", "name", "archive", "archive_name", "group", "group_name"), [
    ("cs.CV", "Computer Vision and Pattern Recognition", "cs", "Computer Science", "cs",
     "Computer Science"),
    ("cs.CL", "Computation and Language", "cs", "Computer Science", "cs", "Computer Science"),
    ("cs.LG", "Machine Learning", "cs", "Computer Science", "cs", "Computer Science"),
    ("stat.ML", "Machine Learning", "stat", "Statistics", "stat", "Statistics"),
    ("eess.IV", "Image and Video Processing", "eess",
     "Electrical Engineering and Systems Science", "eess",
     "Electrical Engineering and Systems Science"),
    ("physics.chem-ph", "Chemical Physics", "physics", "Physics", "physics", "Physics"),
    ("cond-mat.dis-nn", "Disordered Systems and Neural Networks", "cond-mat",
     "Condensed Matter", "physics", "Physics"),
    ("astro-ph.CO", "Cosmology and Nongalactic Astrophysics", "astro-ph", "Astrophysics",
     "physics", "Physics"),
    ("hep-th", "High Energy Physics - Theory", "hep-th", "High Energy Physics - Theory",
     "physics", "Physics"),
    ("quant-ph", "Quantum Physics", "quant-ph", "Quantum Physics", "physics", "Physics"),
    ("q-bio.NC", "Neurons and Cognition", "q-bio", "Quantitative Biology", "q-bio",
     "Quantitative Biology"),
    ("q-fin.ST", "Statistical Finance", "q-fin", "Quantitative Finance", "q-fin",
     "Quantitative Finance"),
    ("econ.EM", "Econometrics", "econ", "Economics", "econ", "Economics"),
    ("math.IT", "Information Theory", "math", "Mathematics", "math", "Mathematics"),
])
def test_official_names(code, name, archive, archive_name, group, group_name):
    assert taxonomy.lookup(code) == taxonomy.Category(code, name, archive, archive_name, group,
                                                      group_name)


def test_the_whole_taxonomy():
    categories = taxonomy.all_categories()
    codes = [c.code for c in categories]
    assert len(codes) == len(set(codes)) == 155
    assert {c.group for c in categories} == {
        "cs", "econ", "eess", "math", "physics", "q-bio", "q-fin", "stat"}
    for c in categories:
        assert c.known and c.name
        assert c.code == c.archive or c.code.startswith(c.archive + ".")


def test_unknown_codes_are_kept():
    fork_tag = taxonomy.lookup("neuroscience")
    assert (fork_tag.code, fork_tag.name, fork_tag.known) == ("neuroscience", "neuroscience",
                                                              False)
    assert fork_tag.archive == fork_tag.group == "neuroscience"
    new = taxonomy.lookup("cs.XY")
    assert (new.code, new.name, new.known, new.archive) == ("cs.XY", "cs.XY", False, "cs")
