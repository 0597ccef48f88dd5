"""Demo data: the story of two businesses (story.py) and the scale seeder (scale.py)."""
