"""Command line: thin click commands over the library functions in semantic_layer.api."""
