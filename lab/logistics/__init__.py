"""Test devices: inventory, shipping, returns, and the testers' addresses."""
