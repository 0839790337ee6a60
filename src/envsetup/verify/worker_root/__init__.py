"""The directory the target interpreter gets on sys.path: it holds only envsetup_verify_worker."""
