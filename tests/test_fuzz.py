"""Property-based tests: malformed YAML, wrong types, huge names, unicode, deep nesting and
random filters all end in exit 0 or a clear message with exit 1, never an internal error.

The examples are derived from a fixed seed and bounded, so CI runs the same cases every time;
``SL_FUZZ_EXAMPLES=N`` runs N examples per test instead (filters: three times as many, deep
nesting: a quarter, as those are cheap and costly), ``SL_FUZZ_SEED`` another seed; see
docs/fuzzing.md.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from semantic_layer.cli.main import main
from tests.helpers import tiny_shop

SEED = int(os.environ.get("SL_FUZZ_SEED", "20261204"))
EXAMPLES = int(os.environ.get("SL_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Words of the spec, so that random documents reach past the first key check.
KEYS = [
    "semantic_models", "metrics", "saved_queries", "sources", "models", "name", "type",
    "type_params", "measure", "measures", "expr", "filter", "entities", "dimensions", "agg",
    "defaults", "agg_time_dimension", "model", "query_params", "group_by", "where", "exports",
    "config", "schema", "alias", "numerator", "denominator", "window", "grain_to_date",
    "time_granularity", "offset_window", "conversion_type_params", "tables", "label",
    "non_additive_dimension", "validity_params", "fill_nulls_with", "limit", "order_by",
]  # fmt: skip
VALUES = [
    "simple", "ratio", "derived", "cumulative", "conversion", "primary", "foreign", "unique",
    "natural", "categorical", "time", "sum", "count", "day", "month", "7 days", "revenue",
    "orders", "customer", "ref('stg_orders')", "source('shop', 'raw_orders')", "view",
    "{{ Dimension('customer__region') }} = 'EU'", "Dimension('customer__region')",
    "TimeDimension('metric_time', 'month')", "{{", "}}", "{% if %}", "'", '"', ";", "--",
    "/*", "\x00", "\u202e", "名前", "🙂", "a" * 300, "select", "NULL", "-1", "1e309",
]  # fmt: skip

texts = st.one_of(
    st.sampled_from(VALUES), st.text(max_size=40), st.text(alphabet="ab_'\"{}();-", max_size=20)
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), texts,
    st.sampled_from(VALUES),
)  # fmt: skip
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), texts), inner, max_size=5),
    ),
    max_leaves=40,
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The tiny shop once for the module; each example rewrites one definitions file."""
    options = tiny_shop(tmp_path_factory.mktemp("fuzz"))
    return ["--project-dir", str(options.project_dir), "--profiles-dir", str(options.profiles_dir)]


def _extra(where: list[str]) -> Path:
    return Path(where[1]) / "models" / "semantic" / "extra.yml"


def sl(*args: str) -> tuple[int, str]:
    """Run ``sl`` in this process; its exit code and everything it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue() + err.getvalue()


def _assert_handled(code: int, output: str) -> None:
    assert code in (0, 1), output
    assert "Traceback" not in output and "internal error" not in output, output
    if code == 1:
        assert output.strip(), "a refusal must say why"


@seed(SEED)
@FUZZ
@given(text=st.text(max_size=300))
def test_any_text_as_a_definitions_file(project: list[str], text: str) -> None:
    _extra(project).write_text(text, encoding="utf-8", errors="surrogatepass")
    _assert_handled(*sl("validate", *project))


@seed(SEED)
@FUZZ
@given(document=documents)
def test_random_documents_of_the_specs_words(project: list[str], document: Any) -> None:
    _extra(project).write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    _assert_handled(*sl("validate", *project))


def _metric(value: Any, key: str) -> dict[str, Any]:
    metric: dict[str, Any] = {
        "name": "fuzzed",
        "type": "derived",
        "type_params": {"expr": "revenue * 2", "metrics": [{"name": "revenue"}]},
        "filter": "{{ Dimension('customer__region') }} = 'EU'",
    }
    place = metric if key in ("name", "type", "filter") else metric["type_params"]
    place[key] = value
    return {"metrics": [metric]}


@seed(SEED)
@FUZZ
@given(
    key=st.sampled_from(["name", "type", "filter", "expr", "metrics"]),
    value=st.one_of(documents, st.text(min_size=200, max_size=2000)),
)
def test_a_valid_metric_with_one_field_replaced(project: list[str], key: str, value: Any) -> None:
    _extra(project).write_text(yaml.safe_dump(_metric(value, key), allow_unicode=True))
    _assert_handled(*sl("validate", *project))


@seed(SEED)
@settings(FUZZ, max_examples=max(EXAMPLES // 4, 5))
@given(depth=st.integers(min_value=50, max_value=1500), kind=st.sampled_from("[{"))
def test_deep_nesting(project: list[str], depth: int, kind: str) -> None:
    closing = "]" if kind == "[" else "}"
    body = (kind + ("" if kind == "[" else "a: ")) * depth + "1" + closing * depth
    _extra(project).write_text(f"metrics: {body}\n")
    _assert_handled(*sl("validate", *project))


FILTER_PARTS = [
    "{{ Dimension('customer__region') }}", "{{ Entity('customer') }}",
    "{{ TimeDimension('metric_time', 'day') }}", "{{ Metric('orders', group_by=['customer']) }}",
    "customer__region", "region", "=", "<>", ">", "IN", "(", ")", ",", "AND", "OR", "NOT",
    "IS NULL", "LIKE", "'EU'", "'", "''", "\\'", '"', "1", "-1", "1e999", "NULL", "TRUE",
    ";", "--", "/*", "*/", "SELECT", "UNION", "FROM", "lower(", "read_csv(", "CAST(", "AS",
    "DATE", "{{", "}}", "{%", "%}", "$1", "?", "::", "[", "]", "\x00", "\u2028", "é",
]  # fmt: skip


@seed(SEED)
@settings(FUZZ, max_examples=EXAMPLES * 3)
@given(parts=st.lists(st.sampled_from(FILTER_PARTS) | st.text(max_size=8), max_size=12))
def test_random_filters(project: list[str], parts: list[str]) -> None:
    _extra(project).write_text("")
    where = " ".join(parts)
    _assert_handled(*sl("query", "-m", "revenue", "-w", where, "--explain", *project))
