/* test-schema.c: the JSON Schema subset checker and JSON pointers. */

#include <glib.h>
#include <string.h>

#include "deca-validator.h"

/* Each case: a schema, an instance and the problems expected, as "pointer: message" lines
 * joined by "\n" ("" = valid). Pointers are checked with the prefix "/c". */
static const struct {
  const char *schema;
  const char *instance;
  const char *expected;
} cases[] = {
  /* type */
  { "{\"type\": \"string\"}", "\"x\"", "" },
  { "{\"type\": \"string\"}", "3", "/c: must be a string, not a number" },
  { "{\"type\": \"number\"}", "\"3\"", "/c: must be a number, not a string" },
  { "{\"type\": \"number\"}", "3", "" },
  { "{\"type\": \"number\"}", "3.5", "" },
  { "{\"type\": \"integer\"}", "3", "" },
  { "{\"type\": \"integer\"}", "3.0", "" },
  { "{\"type\": \"integer\"}", "3.5", "/c: must be an integer, not a fractional number" },
  { "{\"type\": \"boolean\"}", "null", "/c: must be a boolean, not null" },
  { "{\"type\": \"object\"}", "[]", "/c: must be an object, not an array" },
  { "{\"type\": \"array\"}", "{}", "/c: must be an array, not an object" },
  { "{\"type\": \"null\"}", "null", "" },
  { "{\"type\": [\"string\", \"null\"]}", "null", "" },
  { "{\"type\": [\"string\", \"null\"]}", "true", "/c: must be a string or null, not a boolean" },
  { "{\"type\": [\"string\", \"number\", \"null\"]}", "{}",
    "/c: must be a string, a number or null, not an object" },
  /* A wrong type stops further checks of that value. */
  { "{\"type\": \"string\", \"minLength\": 3}", "1", "/c: must be a string, not a number" },
  /* enum and const */
  { "{\"enum\": [\"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\"]}", "\"GET\"", "" },
  { "{\"enum\": [\"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\"]}", "\"FETCH\"",
    "/c: must be one of GET, POST, PUT, PATCH, DELETE" },
  { "{\"enum\": [1, 2, null]}", "null", "" },
  { "{\"enum\": [1, 2, null]}", "3", "/c: must be one of 1, 2, null" },
  { "{\"const\": \"v1\"}", "\"v1\"", "" },
  { "{\"const\": \"v1\"}", "\"v2\"", "/c: must be v1" },
  /* numbers */
  { "{\"minimum\": 1}", "1", "" },
  { "{\"minimum\": 1}", "0", "/c: must be at least 1" },
  { "{\"maximum\": 100}", "100.5", "/c: must be at most 100" },
  { "{\"exclusiveMinimum\": 0}", "0", "/c: must be greater than 0" },
  { "{\"exclusiveMinimum\": 0}", "0.001", "" },
  { "{\"exclusiveMaximum\": 1}", "1", "/c: must be less than 1" },
  { "{\"minimum\": 0.5}", "0.25", "/c: must be at least 0.5" },
  /* Numeric keywords do not apply to other types. */
  { "{\"minimum\": 1}", "\"0\"", "" },
  /* strings */
  { "{\"minLength\": 1}", "\"\"", "/c: must not be empty" },
  { "{\"minLength\": 3}", "\"ab\"", "/c: must be at least 3 characters long" },
  { "{\"minLength\": 3}", "\"\xc3\xa9\xc3\xa9\xc3\xa9\"", "" },
  { "{\"maxLength\": 2}", "\"\xc3\xa9\xc3\xa9\"", "" },
  { "{\"maxLength\": 2}", "\"abc\"", "/c: must be at most 2 characters long" },
  { "{\"pattern\": \"^[a-z]+$\"}", "\"abc\"", "" },
  { "{\"pattern\": \"^[a-z]+$\"}", "\"aBc\"", "/c: must match the pattern ^[a-z]+$" },
  { "{\"pattern\": \"b\"}", "\"abc\"", "" },
  { "{\"pattern\": \"(\"}", "\"abc\"", "/c: cannot be checked: the schema's pattern '(' is invalid" },
  /* arrays */
  { "{\"items\": {\"type\": \"string\"}}", "[\"a\", 1, \"b\", true]",
    "/c/1: must be a string, not a number\n/c/3: must be a string, not a boolean" },
  { "{\"minItems\": 1}", "[]", "/c: must not be empty" },
  { "{\"minItems\": 2}", "[1]", "/c: must have at least 2 items" },
  { "{\"maxItems\": 1}", "[1, 2]", "/c: must have at most 1 items" },
  /* objects */
  { "{\"type\": \"object\", \"required\": [\"url\", \"method\"]}", "{\"url\": \"x\"}",
    "/c/method: is required" },
  { "{\"properties\": {\"a\": {\"type\": \"number\"}, \"b\": {\"type\": \"string\"}}}",
    "{\"b\": 1, \"a\": \"x\", \"other\": 1}",
    "/c/b: must be a string, not a number\n/c/a: must be a number, not a string" },
  { "{\"properties\": {\"a\": {}}, \"additionalProperties\": false}", "{\"a\": 1, \"b\": 2}",
    "/c/b: is not a known property" },
  { "{\"additionalProperties\": {\"type\": \"string\"}}", "{\"h\": \"v\", \"n\": 1}",
    "/c/n: must be a string, not a number" },
  { "{\"additionalProperties\": true}", "{\"h\": 1}", "" },
  /* Pointer escaping (RFC 6901). */
  { "{\"additionalProperties\": {\"type\": \"string\"}}", "{\"a/b~c\": 1}",
    "/c/a~1b~0c: must be a string, not a number" },
  /* Nested paths. */
  { "{\"properties\": {\"cases\": {\"items\": {\"required\": [\"when\"]}}}}",
    "{\"cases\": [{\"when\": \"x\"}, {}]}", "/c/cases/1/when: is required" },
  /* Every problem is reported, not just the first. */
  { "{\"properties\": {\"n\": {\"minimum\": 5, \"multipleOf\": 2}, \"s\": {\"enum\": [\"x\"]}},"
    " \"required\": [\"r\"]}", "{\"n\": 1, \"s\": \"y\"}",
    "/c/r: is required\n/c/n: must be at least 5\n/c/s: must be one of x" },
  /* anyOf / oneOf */
  { "{\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"number\"}]}", "1", "" },
  { "{\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"number\"}]}", "true",
    "/c: must be a string or a number, not a boolean" },
  { "{\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"object\", \"required\": [\"x\"]}]}", "{}",
    "/c/x: is required" },
  { "{\"anyOf\": [{\"minimum\": 10}, {\"maximum\": 0}]}", "5",
    "/c: must be at least 10" },
  { "{\"oneOf\": [{\"type\": \"integer\"}, {\"type\": \"number\"}]}", "1.5", "" },
  { "{\"oneOf\": [{\"type\": \"integer\"}, {\"type\": \"number\"}]}", "1",
    "/c: matches more than one of the allowed forms" },
  { "{\"oneOf\": [{\"type\": \"string\"}, {\"type\": \"array\"}]}", "1",
    "/c: must be a string or an array, not a number" },
  /* Boolean schemas. */
  { "true", "{\"x\": 1}", "" },
  { "false", "1", "/c: is not allowed here" },
  /* Annotations are ignored. */
  { "{\"type\": \"string\", \"format\": \"expression\", \"default\": \"x\", \"title\": \"T\","
    " \"description\": \"D\"}", "\"a\"", "" },
  /* Templates: a string with "{{" is accepted where another type is expected... */
  { "{\"type\": \"number\", \"minimum\": 1}", "\"{{input.count}}\"", "" },
  { "{\"type\": \"boolean\"}", "\"{{input.flag}}\"", "" },
  { "{\"type\": \"object\", \"required\": [\"a\"]}", "\"{{input.headers}}\"", "" },
  { "{\"enum\": [\"GET\", \"POST\"]}", "\"{{input.method}}\"", "" },
  /* ... but a plain string is not. */
  { "{\"type\": \"number\"}", "\"{input.count}\"", "/c: must be a number, not a string" },
};

static char *
problems_to_string (GPtrArray *problems)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      DecaValidationProblem *problem = problems->pdata[i];

      if (i > 0)
        g_string_append_c (out, '\n');
      g_string_append_printf (out, "%s: %s", problem->pointer, problem->message);
    }
  return g_string_free (out, FALSE);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static void
test_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) schema = parse (cases[i].schema);
      g_autoptr(JsonNode) instance = parse (cases[i].instance);
      g_autoptr(GPtrArray) problems =
        g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
      g_autofree char *got = NULL;

      deca_validate_against_schema (schema, instance, "/c", problems);
      got = problems_to_string (problems);
      g_test_message ("case %u: %s against %s", i, cases[i].instance, cases[i].schema);
      /* The invalid-pattern message carries GRegex's own explanation after the part we
       * control; compare only the prefix then. */
      if (strstr (cases[i].expected, "cannot be checked") != NULL)
        g_assert_true (g_str_has_prefix (got, cases[i].expected));
      else
        g_assert_cmpstr (got, ==, cases[i].expected);
    }
}

/* DECA_SCHEMA_CHECK_NO_TEMPLATES: settings are not rendered, so "{{" earns nothing. */
static void
test_no_templates (void)
{
  g_autoptr(JsonNode) schema = parse ("{\"type\": \"number\"}");
  g_autoptr(JsonNode) instance = parse ("\"{{input.timeout}}\"");
  g_autoptr(GPtrArray) problems =
    g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);

  deca_validate_against_schema_full (schema, instance, "/settings/timeout",
                                     DECA_SCHEMA_CHECK_NO_TEMPLATES, problems);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_cmpstr (((DecaValidationProblem *) problems->pdata[0])->pointer, ==,
                   "/settings/timeout");
}

static void
test_pointer_append (void)
{
  static const struct {
    const char *token;
    const char *expected;
  } tokens[] = {
    { "a", "/a" },
    { "", "/" },
    { "a/b", "/a~1b" },
    { "m~n", "/m~0n" },
    { "~/", "/~0~1" },
    { "~1", "/~01" },
    { "\xc3\xa9", "/\xc3\xa9" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autoptr(GString) pointer = g_string_new (NULL);

      deca_json_pointer_append (pointer, tokens[i].token);
      g_assert_cmpstr (pointer->str, ==, tokens[i].expected);
    }
}

/* Subschema lookup used by the template walk to find "format": "expression". */
static void
test_subschema_lookup (void)
{
  g_autoptr(JsonNode) schema = parse (
    "{\"properties\": {\"a\": {\"format\": \"expression\"}},"
    " \"anyOf\": [{\"properties\": {\"b\": {\"format\": \"b\"}}}],"
    " \"additionalProperties\": {\"format\": \"rest\"},"
    " \"items\": {\"format\": \"item\"}}");
  JsonNode *found;

  found = deca_schema_get_property (schema, "a");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (found), "format"), ==,
                   "expression");
  found = deca_schema_get_property (schema, "b");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (found), "format"), ==,
                   "b");
  found = deca_schema_get_property (schema, "zzz");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (found), "format"), ==,
                   "rest");
  found = deca_schema_get_items (schema);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (found), "format"), ==,
                   "item");
  g_assert_null (deca_schema_get_property (NULL, "a"));
  g_assert_null (deca_schema_get_items (NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/engine/schema/table", test_table);
  g_test_add_func ("/deca/engine/schema/no-templates", test_no_templates);
  g_test_add_func ("/deca/engine/schema/pointer-append", test_pointer_append);
  g_test_add_func ("/deca/engine/schema/subschema-lookup", test_subschema_lookup);

  return g_test_run ();
}
