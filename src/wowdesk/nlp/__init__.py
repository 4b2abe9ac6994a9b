"""Language tools shared by the domains (tokens, stems, stop words)."""
