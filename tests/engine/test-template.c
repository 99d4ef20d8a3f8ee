/* test-template.c: templates, text with {{ expr }} parts (docs/expressions.md) */

#include <json-glib/json-glib.h>
#include <string.h>

#include "deca-engine-error.h"
#include "deca-expr.h"

static JsonObject *scope_root;

static const char scope_json[] =
  "{"
  "  \"input\": {\"name\": \"Ada\", \"amount\": 150, \"ratio\": 0.5, \"tags\": [\"a\", \"b\"],"
  "    \"customer\": {\"name\": \"Grace\", \"email\": null}, \"ok\": true},"
  "  \"validate-input\": {\"success\": true},"
  "  \"credentials\": {\"openai\": {\"api_key\": \"sk-1\"}}"
  "}";

static JsonNode *
resolve_cb (const char *name,
            gpointer    user_data)
{
  return json_object_get_member (user_data, name);
}

static const DecaExprScope *
test_scope (void)
{
  static DecaExprScope scope;

  scope.resolve = resolve_cb;
  scope.user_data = scope_root;
  scope.now_us = G_GINT64_CONSTANT (86400000000);
  return &scope;
}

static JsonNode *
parse_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_parser_steal_root (parser);
}

/* Compares by JSON text after a round trip through the same generator, and by value type
 * for scalars, so that 1 and 1.0 or "1" and 1 differ. */
static gboolean
same_value (JsonNode *a,
            JsonNode *b)
{
  g_autofree char *x = json_to_string (a, FALSE);
  g_autofree char *y = json_to_string (b, FALSE);

  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;
  if (JSON_NODE_HOLDS_VALUE (a) && json_node_get_value_type (a) != json_node_get_value_type (b))
    return FALSE;
  return g_strcmp0 (x, y) == 0;
}

typedef struct {
  const char *text;
  gboolean constant;
  const char *expected;
} RenderCase;

static void
test_render (void)
{
  static const RenderCase cases[] = {
    /* Mixed text yields a string, values converted by string(). */
    { "Hello {{input.name}}!", FALSE, "\"Hello Ada!\"" },
    { "Persona for {{ input.customer.name }}", FALSE, "\"Persona for Grace\"" },
    { "{{input.amount}} items", FALSE, "\"150 items\"" },
    { "r={{input.ratio}}", FALSE, "\"r=0.5\"" },
    { "{{1.0}}x", FALSE, "\"1x\"" },
    { "{{0.1 + 0.2}}!", FALSE, "\"0.30000000000000004!\"" },
    { "e=[{{input.customer.email}}]", FALSE, "\"e=[]\"" },
    { "m={{input.missing}}.", FALSE, "\"m=.\"" },
    { "c={{input.customer}}", FALSE, "\"c={\\\"name\\\":\\\"Grace\\\",\\\"email\\\":null}\"" },
    { "t={{input.tags}}", FALSE, "\"t=[\\\"a\\\",\\\"b\\\"]\"" },
    { "{{input.ok}}/{{!input.ok}}", FALSE, "\"true/false\"" },
    { "{{input.name}}{{input.amount}}", FALSE, "\"Ada150\"" },
    { "Key: {{credentials.openai.api_key}}", FALSE, "\"Key: sk-1\"" },
    { "ok={{validate-input.success}}", FALSE, "\"ok=true\"" },
    { "line1\n{{input.name}}\nline3", FALSE, "\"line1\\nAda\\nline3\"" },
    /* A template that is exactly one {{expr}} keeps the value's type. */
    { "{{input.amount}}", FALSE, "150" },
    { "  {{ input.tags }}\n", FALSE, "[\"a\", \"b\"]" },
    { "{{input.ratio}}", FALSE, "0.5" },
    { "{{input.customer}}", FALSE, "{\"name\": \"Grace\", \"email\": null}" },
    { "{{input.missing}}", FALSE, "null" },
    { "{{validate-input.success}}", FALSE, "true" },
    { "{{ {a: {b: 1}} }}", FALSE, "{\"a\": {\"b\": 1}}" },
    { "{{ {a: 1}}}", FALSE, "{\"a\": 1}" },
    { "{{ '}}' }}", FALSE, "\"}}\"" },
    { "{{ \"{{x}}\" }}", FALSE, "\"{{x}}\"" },
    { "{{ {{input.amount}} + 1 }}", FALSE, "151" },
    { "{{ upper(input.name) }}", FALSE, "\"ADA\"" },
    { "{{ format_date(now(), '%Y-%m-%d') }}", FALSE, "\"1970-01-02\"" },
    /* Escapes and stray braces. */
    { "\\{{ not an expression }}", TRUE, "\"{{ not an expression }}\"" },
    { "a \\{{b}} {{input.name}}", FALSE, "\"a {{b}} Ada\"" },
    { "a}}b", TRUE, "\"a}}b\"" },
    { "{ {x} }", TRUE, "\"{ {x} }\"" },
    { "back\\slash \\n", TRUE, "\"back\\\\slash \\\\n\"" },
    { "plain text", TRUE, "\"plain text\"" },
    { "", TRUE, "\"\"" },
    { "   ", TRUE, "\"   \"" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaTemplate) tmpl = NULL;
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(JsonNode) expected = NULL;

      tmpl = deca_template_parse (cases[i].text, NULL, &error);
      if (error != NULL)
        g_error ("'%s': %s", cases[i].text, error->message);
      if (deca_template_is_constant (tmpl) != cases[i].constant)
        g_error ("'%s': is_constant should be %d", cases[i].text, cases[i].constant);
      result = deca_template_render (tmpl, test_scope (), &error);
      if (error != NULL)
        g_error ("'%s': %s", cases[i].text, error->message);
      expected = parse_json (cases[i].expected);
      if (!same_value (result, expected))
        {
          g_autofree char *got = json_to_string (result, FALSE);

          g_error ("'%s': expected %s, got %s", cases[i].text, cases[i].expected, got);
        }
    }
}

typedef struct {
  const char *text;
  gsize offset;
  const char *message;
} SyntaxCase;

static void
test_syntax_errors (void)
{
  static const SyntaxCase cases[] = {
    { "Hello {{ input.name", 6, "column 7: unterminated '{{'" },
    { "{{", 0, "column 1: unterminated '{{'" },
    { "ok {{ a }", 3, "column 4: unterminated '{{'" },
    { "x {{ 1 + }} y", 9, "column 10: expected an expression, found '}'" },
    { "{{}}", 2, "column 3: expected an expression, found '}'" },
    { "é {{ a b }}", 8, "column 8: expected '}}', found 'b'" },
    { "a {{ foo(1) }}", 5, "column 6: unknown function 'foo'" },
    { "{{ 'x }} y", 3, "column 4: unterminated string" },
    { "{{ a } }} b", 5, "column 6: expected '}}'" },
    { "ab\xff", 2, "column 3: invalid UTF-8" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaTemplate) tmpl = NULL;
      gsize offset = G_MAXSIZE;

      tmpl = deca_template_parse (cases[i].text, &offset, &error);
      if (tmpl != NULL)
        g_error ("'%s': expected a syntax error", cases[i].text);
      g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_EXPRESSION);
      if (offset != cases[i].offset || g_strcmp0 (error->message, cases[i].message) != 0)
        g_error ("'%s': expected %" G_GSIZE_FORMAT " '%s', got %" G_GSIZE_FORMAT " '%s'",
                 cases[i].text, cases[i].offset, cases[i].message, offset, error->message);
      g_assert_null (deca_template_parse (cases[i].text, NULL, NULL));
    }
}

static void
test_evaluation_errors (void)
{
  static const struct {
    const char *text;
    int code;
    const char *message;
  } cases[] = {
    { "a {{ 1 / 0 }}", DECA_ENGINE_ERROR_EVALUATION, "column 8: division by zero" },
    { "{{ 1 / 0 }}", DECA_ENGINE_ERROR_EVALUATION, "column 6: division by zero" },
    { "Hi {{nobody.name}}", DECA_ENGINE_ERROR_EVALUATION, "column 6: unknown reference 'nobody'" },
    { "ü {{ lower(1) }}", DECA_ENGINE_ERROR_EVALUATION,
      "column 12: lower(): argument 1 must be a string, not number" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaTemplate) tmpl = deca_template_parse (cases[i].text, NULL, &error);
      g_autoptr(JsonNode) result = NULL;

      g_assert_no_error (error);
      result = deca_template_render (tmpl, test_scope (), &error);
      g_assert_null (result);
      g_assert_error (error, DECA_ENGINE_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static JsonNode *
big_resolve_cb (const char *name,
                gpointer    user_data)
{
  return json_object_get_member (user_data, name);
}

static void
test_limit (void)
{
  g_autoptr(JsonObject) root = json_object_new ();
  g_autofree char *big = g_strnfill (400 * 1024, 'x');
  DecaExprScope scope = { big_resolve_cb, root, 0 };
  g_autoptr(DecaTemplate) tmpl = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (root, "big", big);

  tmpl = deca_template_parse ("{{big}} {{big}}", NULL, NULL);
  result = deca_template_render (tmpl, &scope, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (json_node_get_string (result)), ==, 800 * 1024 + 1);
  g_clear_pointer (&result, json_node_unref);
  g_clear_pointer (&tmpl, deca_template_unref);

  tmpl = deca_template_parse ("{{big}} {{big}} {{big}}", NULL, NULL);
  result = deca_template_render (tmpl, &scope, &error);
  g_assert_null (result);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_LIMIT);
  g_assert_cmpstr (error->message, ==, "column 19: rendered text longer than 1048576 bytes");
}

typedef struct {
  const char *root;
  const char *path;
  guint offset;
} RefCase;

static void
test_references (void)
{
  static const char text[] =
    "Hi {{input.customer.name}}, ok={{validate-input.success}} {{ default(input.x, input.y) }}";
  static const RefCase expected[] = {
    { "input", "input.customer.name", 5 },
    { "validate-input", "validate-input.success", 33 },
    { "input", "input.x", 69 },
    { "input", "input.y", 78 },
  };
  g_autoptr(DecaTemplate) tmpl = deca_template_parse (text, NULL, NULL);
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_expr_reference_free);

  g_assert_nonnull (tmpl);
  deca_template_collect_references (tmpl, refs);
  g_assert_cmpuint (refs->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < refs->len; i++)
    {
      DecaExprReference *ref = refs->pdata[i];

      g_assert_cmpstr (ref->root, ==, expected[i].root);
      g_assert_cmpstr (ref->path, ==, expected[i].path);
      g_assert_cmpuint (ref->offset, ==, expected[i].offset);
      /* Offsets point into the template text. */
      g_assert_true (strncmp (text + ref->offset, ref->root, strlen (ref->root)) == 0);
    }

  /* Constant templates have none. */
  {
    g_autoptr(DecaTemplate) constant = deca_template_parse ("no refs \\{{x}}", NULL, NULL);

    g_ptr_array_set_size (refs, 0);
    deca_template_collect_references (constant, refs);
    g_assert_cmpuint (refs->len, ==, 0);
  }
}

static void
test_refcount (void)
{
  DecaTemplate *tmpl = deca_template_parse ("a {{input.name}}", NULL, NULL);
  g_autoptr(JsonNode) result = NULL;

  g_assert_true (deca_template_ref (tmpl) == tmpl);
  deca_template_unref (tmpl);
  result = deca_template_render (tmpl, test_scope (), NULL);
  g_assert_cmpstr (json_node_get_string (result), ==, "a Ada");
  deca_template_unref (tmpl);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(JsonNode) root = NULL;

  g_test_init (&argc, &argv, NULL);

  root = parse_json (scope_json);
  scope_root = json_node_get_object (root);

  g_test_add_func ("/deca/engine/template/render", test_render);
  g_test_add_func ("/deca/engine/template/syntax-errors", test_syntax_errors);
  g_test_add_func ("/deca/engine/template/evaluation-errors", test_evaluation_errors);
  g_test_add_func ("/deca/engine/template/limit", test_limit);
  g_test_add_func ("/deca/engine/template/references", test_references);
  g_test_add_func ("/deca/engine/template/refcount", test_refcount);

  return g_test_run ();
}
