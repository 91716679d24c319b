"""The test lab: products, campaigns, screening questions, applications, selection."""
