"""The story engine: representations, incremental clustering, labels and threads."""
