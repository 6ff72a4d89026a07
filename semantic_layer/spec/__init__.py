"""The typed semantic model: frozen objects built from the raw documents."""
