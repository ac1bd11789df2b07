"""The rules of the mock, with no knowledge of HTTP: orgs, customers, conversations, messages."""
