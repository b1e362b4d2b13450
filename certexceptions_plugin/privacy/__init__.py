"""Personal data: forgetting a retired learner, and deleting import results once they expire."""
