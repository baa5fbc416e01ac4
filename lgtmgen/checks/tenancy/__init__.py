"""What the bundle's rules and writers put into each Mimir tenant, read from the bundle alone."""
