"""Staff and admin pages that span domains."""
