"""Presswork: raw news articles -> a curated, versioned research dataset."""
