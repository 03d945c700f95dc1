"""One module per ``emotune`` subcommand: ``NAME``, ``HELP``, ``add_arguments(parser)``, ``run(args)``.

Command modules import heavy libraries inside ``run`` so that ``emotune --help`` stays fast.
"""
