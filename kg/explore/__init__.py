"""kg.explore: what the explorer pages of `kg serve` show, read from a build's store."""
