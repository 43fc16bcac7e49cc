"""Output printers: human-readable tables, YAML/JSON/name, JSONPath and custom columns."""
