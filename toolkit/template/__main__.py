"""``python -m toolkit.template --regenerate``: rewrite workbook_templates/."""

from toolkit.template import _main

raise SystemExit(_main())
