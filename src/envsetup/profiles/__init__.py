"""PyTorch release profiles (profiles/torch-X.Y.toml): find, read, check, look up builds."""
