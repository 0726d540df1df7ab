"""Sentence embeddings and the small linear models over them that answers and reviews share."""
