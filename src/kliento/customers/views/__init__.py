"""HTML pages of companies and contacts: lists, cards, forms, bulk actions, export."""
