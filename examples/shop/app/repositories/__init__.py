"""Data access objects wrapping a SQLAlchemy Session."""
