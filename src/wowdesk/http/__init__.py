"""The kernel's HTTP kit every domain's routes use: request dependencies, page rendering, table
files."""
