"""Input in: files and folders read, YAML and JSON parsed with every line, hostile input bounded."""
