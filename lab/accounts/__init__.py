"""Users, roles, the tester profile and the private shipping address."""
