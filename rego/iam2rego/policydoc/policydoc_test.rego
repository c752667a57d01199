package iam2rego.policydoc_test

import data.iam2rego.policydoc

test_as_list_keeps_a_list_and_wraps_one_value if {
	policydoc.as_list(["a", "b"]) == ["a", "b"]
	policydoc.as_list("a") == ["a"]
	policydoc.as_list({"k": 1}) == [{"k": 1}]
	policydoc.as_list([]) == []
}

test_statements_reads_a_list_or_one_statement_object if {
	policydoc.statements({"Statement": [{"Effect": "Allow"}, {"Effect": "Deny"}]}) == [{"Effect": "Allow"}, {"Effect": "Deny"}]
	policydoc.statements({"Statement": {"Effect": "Deny"}}) == [{"Effect": "Deny"}]
}

test_statements_is_undefined_without_a_statement_member if {
	not policydoc.statements({"Version": "2012-10-17"})
	not policydoc.statements({"Statement": "Allow"})
}
