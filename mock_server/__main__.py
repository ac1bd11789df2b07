"""python -m mock_server: the kustomer-mock command."""
import sys

from .cli import main

sys.exit(main())
