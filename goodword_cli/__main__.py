import sys

from goodword_cli.main import main

sys.exit(main())
