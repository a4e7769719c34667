"""Text processing: tokenisation."""
