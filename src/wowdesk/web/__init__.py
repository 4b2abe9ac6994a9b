"""Pages, templates, static files and the request dependencies shared by every domain's routes."""
