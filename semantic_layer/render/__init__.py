"""Render stage: plan nodes into sqlglot expressions and SQL text per dialect."""
