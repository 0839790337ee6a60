"""Section readers, one module per kind of pasted input; each exports READER (a SectionReader)."""
