"""``python -m brisa.cli`` runs the ``brisa`` command."""

from brisa.cli.main import main

main()
