"""Activity pages: My day, the activity list, the calendar, quick actions on records."""
