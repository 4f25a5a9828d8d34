import sys

from owlistic.cli import main

sys.exit(main())
