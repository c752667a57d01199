# Reading raw IAM policy JSON: the shapes IAM allows a member to take. Shared by the matcher
# (match), the generic evaluator and validator (generic) and the gate pack (gate).
package iam2rego.policydoc

# A member IAM allows as one value or a list of values (Action, Resource, a principal type's
# entries, a condition value), as a list.
as_list(x) := x if is_array(x)

as_list(x) := [x] if not is_array(x)

# The statements of a policy document (Statement is an object or a list); undefined when it is
# neither (generic/validate.rego reports V-TOP then).
statements(doc) := doc.Statement if is_array(doc.Statement)

statements(doc) := [doc.Statement] if is_object(doc.Statement)
