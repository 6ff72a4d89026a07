"""Warehouse stage: the only place that talks to a database, through SQLAlchemy."""
