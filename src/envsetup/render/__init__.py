"""Rendering: the only code that prints. rich for people; JSON, JUnit, Markdown for machines."""
