"""Sample data: the Jaffle Shop raw tables, generated reproducibly for demos and tests."""
