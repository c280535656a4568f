"""One module per command; converter.cli registers them explicitly."""
