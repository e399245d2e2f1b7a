"""The `gbus` command line. Each area registers its own subcommands."""
