"""Shared pieces every domain uses: clock, transactions, audit log, permissions, pages."""
