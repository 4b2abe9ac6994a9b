"""Knowledge base: articles, versions, import and retrieval."""
