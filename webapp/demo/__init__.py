"""Demo data: a generated gazetteer of Kharkiv oblast and a land-release history to explore."""
