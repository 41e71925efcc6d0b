"""Where each side stands: outlet ratings, article-level lean estimates and their evidence."""
