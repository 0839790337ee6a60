"""Resolving: (request, facts, profiles) -> a Resolution or a refusal with reasons. Pure."""
