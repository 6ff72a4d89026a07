"""Compile dbt Semantic Layer definitions into SQL views for a warehouse's dialect."""

__version__ = "0.1.0"
