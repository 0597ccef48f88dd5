"""What every page shares: signing in, the layout, htmx rendering, errors, lists."""
