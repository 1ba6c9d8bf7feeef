"""Reading workflow files: YAML nodes, the schema, validation, the loader and the model."""
