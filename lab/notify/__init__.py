"""Notifications: the e-mail outbox (in-app notifications come with the rewards issue)."""
