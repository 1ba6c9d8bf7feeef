"""Publishing the built library to a documentation site (Confluence)."""
