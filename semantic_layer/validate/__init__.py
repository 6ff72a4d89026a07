"""Validate stage: every problem of a project, each with its level and location."""
