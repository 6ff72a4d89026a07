"""Plan stage: a query (metrics, grain, filters) into a tree of small, frozen plan nodes."""
