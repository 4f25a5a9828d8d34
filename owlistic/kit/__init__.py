"""What no domain owns: database plumbing, errors, portable types, schema base."""
