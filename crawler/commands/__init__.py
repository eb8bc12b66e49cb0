"""The commands of `vigil`, grouped by what they serve."""
