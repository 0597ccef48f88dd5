"""Sales pages: the pipeline board, deals and leads."""
