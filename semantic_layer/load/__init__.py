"""Load stage: files (YAML, SQL models, macros) into raw documents that keep their positions."""
