"""The last guard before a view reaches the warehouse: its text is exactly one statement."""

from __future__ import annotations

import pytest

from semantic_layer.compiler import _require_one_statement
from semantic_layer.errors import UserError
from semantic_layer.render.dialects import get_dialect


@pytest.mark.parametrize(
    "text",
    [
        "CREATE VIEW v AS SELECT ';' AS semicolon",
        "CREATE VIEW v AS SELECT 1 AS x -- a comment; with a semicolon",
        'CREATE VIEW v AS SELECT 1 AS "odd;name"',
    ],
)
def test_a_semicolon_inside_a_string_a_comment_or_a_name_is_one_statement(text: str) -> None:
    _require_one_statement(text, get_dialect("duckdb"), "v")


@pytest.mark.parametrize(
    "text",
    [
        "CREATE VIEW v AS SELECT 1 AS x; DROP TABLE t",
        "CREATE VIEW v AS SELECT 1 AS x;",
        "CREATE VIEW v AS SELECT 1 AS x /* */; SELECT 2",
    ],
)
@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "tsql", "mysql"])
def test_a_second_statement_or_a_separator_is_refused(text: str, dialect: str) -> None:
    with pytest.raises(UserError, match="more than one statement"):
        _require_one_statement(text, get_dialect(dialect), "v")
