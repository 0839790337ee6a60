"""envsetup explain: diagnose what people paste (issue 10)."""
