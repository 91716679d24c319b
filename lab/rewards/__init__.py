"""Points, levels, badges, leaderboards, the reward catalog and manual awards."""
