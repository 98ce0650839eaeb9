"""Business logic that the routers call (plain synchronous functions)."""
