"""Daily reporting (日报制度): forms, submissions, completeness, roll-up, briefing, dashboard."""
