"""The command line: thin commands and their output formats."""
