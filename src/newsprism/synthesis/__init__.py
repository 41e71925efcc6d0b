"""The neutral, cited synthesis of a story: summary, key points, facts, entities, timeline."""
