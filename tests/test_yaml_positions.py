"""YAML text into values that remember their lines, whichever YAML reader is installed."""

from __future__ import annotations

import pytest

from semantic_layer.errors import UserError
from semantic_layer.load.yaml_positions import parse_yaml

TEXT = """\
# a comment
metrics:
  - name: revenue
    type: simple

  - name: orders
    type_params:
      measure: order_count
"""


def test_mappings_and_list_items_know_their_lines() -> None:
    data = parse_yaml(TEXT, "models/m.yml")

    metrics = data["metrics"]
    assert str(data.loc("metrics")) == "models/m.yml:2"
    assert [str(metrics.loc(i)) for i in range(2)] == ["models/m.yml:3", "models/m.yml:6"]
    assert str(metrics[1].loc("type_params")) == "models/m.yml:7"
    assert str(metrics[1]["type_params"].loc("measure")) == "models/m.yml:8"
    assert metrics[0] == {"name": "revenue", "type": "simple"}


def test_a_key_written_twice_is_located() -> None:
    with pytest.raises(UserError, match="key 'name' is written twice") as raised:
        parse_yaml("a:\n  name: x\n  name: y\n", "f.yml")
    assert str(raised.value.location) == "f.yml:3"


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("a: [1, 2\nb: 3\n", 2, "expected ',' or ']'"),
        ("a: b: c\n", 1, "mapping values are not allowed here"),
    ],
)
def test_a_syntax_error_names_the_line_and_the_problem(text: str, line: int, problem: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_yaml(text, "f.yml")

    assert str(raised.value.location) == f"f.yml:{line}"
    assert f"YAML syntax error: {problem}" in raised.value.message
