import sys

from reconciler.desktop.app import main

sys.exit(main())
