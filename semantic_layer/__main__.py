"""``python -m semantic_layer``: the same as the ``sl`` command."""

import sys

from semantic_layer.cli.main import main

sys.exit(main())
