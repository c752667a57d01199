"""``iam2rego access``: the access matrix principal × table × operation, its delta, and its reports."""
