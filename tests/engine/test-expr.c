/* test-expr.c: the expression language (docs/expressions.md), table-driven */

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "deca-engine-error.h"
#include "deca-expr.h"

static JsonObject *scope_root;

static const char scope_json[] =
  "{"
  "  \"input\": {"
  "    \"amount\": 150, \"name\": \"Ada\", \"ratio\": 0.5, \"flag\": true, \"empty\": \"\","
  "    \"tags\": [\"a\", \"b\"], \"customer\": {\"name\": \"Grace\", \"email\": null},"
  "    \"items\": [{\"price\": 10}, {\"price\": 5.5}], \"nums\": [3, 1, 2],"
  "    \"words\": [\"pear\", \"apple\", \"fig\"], \"dups\": [1, \"1\", 1, {\"a\": 1}, {\"a\": 1}]"
  "  },"
  "  \"validate-input\": {\"success\": true, \"errors\": []},"
  "  \"step-2\": {\"output\": \"ok\"},"
  "  \"x\": 10, \"a\": 5, \"b\": 2, \"s\": \"hello\", \"nothing\": null"
  "}";

static JsonNode *
resolve_cb (const char *name,
            gpointer    user_data)
{
  JsonObject *root = user_data;

  return json_object_get_member (root, name);
}

static const DecaExprScope *
test_scope (void)
{
  static DecaExprScope scope;

  scope.resolve = resolve_cb;
  scope.user_data = scope_root;
  scope.now_us = G_GINT64_CONSTANT (1700000000123456);
  return &scope;
}

/* Exact comparison: same JSON types (an integer is not a double), same values, object
 * members in any order. */
static gboolean
nodes_identical (JsonNode *a,
                 JsonNode *b)
{
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;
  switch (JSON_NODE_TYPE (a))
    {
    case JSON_NODE_NULL:
      return TRUE;
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (a) != json_node_get_value_type (b))
        return FALSE;
      switch (json_node_get_value_type (a))
        {
        case G_TYPE_INT64:
          return json_node_get_int (a) == json_node_get_int (b);
        case G_TYPE_DOUBLE:
          return json_node_get_double (a) == json_node_get_double (b);
        case G_TYPE_BOOLEAN:
          return json_node_get_boolean (a) == json_node_get_boolean (b);
        case G_TYPE_STRING:
          return g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;
        default:
          return FALSE;
        }
    case JSON_NODE_ARRAY:
      {
        JsonArray *x = json_node_get_array (a), *y = json_node_get_array (b);

        if (json_array_get_length (x) != json_array_get_length (y))
          return FALSE;
        for (guint i = 0; i < json_array_get_length (x); i++)
          if (!nodes_identical (json_array_get_element (x, i), json_array_get_element (y, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_OBJECT:
      {
        JsonObject *x = json_node_get_object (a), *y = json_node_get_object (b);
        g_autoptr(GList) names = json_object_get_members (x);

        if (json_object_get_size (x) != json_object_get_size (y))
          return FALSE;
        for (GList *l = names; l != NULL; l = l->next)
          {
            JsonNode *other = json_object_get_member (y, l->data);

            if (other == NULL || !nodes_identical (json_object_get_member (x, l->data), other))
              return FALSE;
          }
        return TRUE;
      }
    default:
      return FALSE;
    }
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

static void
assert_value (const char *text,
              JsonNode   *result,
              const char *expected_json)
{
  g_autoptr(JsonNode) expected = parse_json (expected_json);

  if (!nodes_identical (result, expected))
    {
      g_autofree char *got = json_to_string (result, FALSE);

      g_error ("%s: expected %s, got %s", text, expected_json, got);
    }
}

typedef struct {
  const char *text;
  const char *expected;
} ValueCase;

static void
run_value_cases (const ValueCase *cases,
                 gsize            n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaExpr) expr = NULL;
      g_autoptr(JsonNode) result = NULL;
      gsize offset = 0;

      expr = deca_expr_parse (cases[i].text, &offset, &error);
      if (error != NULL)
        g_error ("%s: %s", cases[i].text, error->message);
      g_assert_cmpstr (deca_expr_get_text (expr), ==, cases[i].text);
      result = deca_expr_evaluate (expr, test_scope (), &error);
      if (error != NULL)
        g_error ("%s: %s", cases[i].text, error->message);
      g_assert_nonnull (result);
      assert_value (cases[i].text, result, cases[i].expected);
    }
}

#define RUN_VALUES(table) run_value_cases (table, G_N_ELEMENTS (table))

static void
test_precedence (void)
{
  static const ValueCase cases[] = {
    { "1 + 2 * 3", "7" },
    { "(1 + 2) * 3", "9" },
    { "10 - 4 - 3", "3" },
    { "2 * 3 % 4", "2" },
    { "24 / 4 / 2", "3" },
    { "1 + 2 < 4", "true" },
    { "1 < 2 == true", "true" },
    { "2 > 1 === 3 > 2", "true" },
    { "true || false && false", "true" },
    { "(true || false) && false", "false" },
    { "null ?? 0 || 1", "true" },
    { "x ?? 5 > 3", "10" },
    { "false ? 1 : true ? 2 : 3", "2" },
    { "true ? 1 : 2 ?? 3", "1" },
    { "1 || 0 ? 'y' : 'n'", "\"y\"" },
    { "!true == false", "true" },
    { "-2 * 3", "-6" },
    { "- x + 1", "-9" },
    { "-(x + 1)", "-11" },
    { "1 + 2 in [3]", "true" },
    { "{{x}} * 2", "20" },
    { "{{ x + 1 }} * 2", "22" },
    { "!!x", "true" },
    { "2 * -b", "-4" },
    { "a--b", "7" },
    { "input.items[0].price * 2 + 1", "21" },
  };

  RUN_VALUES (cases);
}

static void
test_operators (void)
{
  static const ValueCase cases[] = {
    /* Loose equality */
    { "1 == '1'", "true" },
    { "1 == 1.0", "true" },
    { "'1.5' == 1.5", "true" },
    { "true == 1", "true" },
    { "'a' == 'a'", "true" },
    { "1 == 'x'", "false" },
    { "null == 0", "false" },
    { "'' == 0", "false" },
    { "input.missing == null", "true" },
    { "nothing == null", "true" },
    { "[1, 2] == [1, 2]", "true" },
    { "[1, 2] == [2, 1]", "false" },
    { "{a: 1, b: 2} == {b: 2, a: 1}", "true" },
    { "[1] == ['1']", "true" },
    { "1 != '1'", "false" },
    { "1 != 2", "true" },
    /* Strict equality */
    { "1 === '1'", "false" },
    { "1 === 1.0", "true" },
    { "[1, [2]] === [1, [2]]", "true" },
    { "{a: 1} === {a: '1'}", "false" },
    { "[1] === ['1']", "false" },
    { "null === null", "true" },
    { "input.missing === null", "true" },
    { "true === 1", "false" },
    { "1 !== '1'", "true" },
    { "'a' !== 'a'", "false" },
    /* Relational */
    { "1 < 2", "true" },
    { "2 <= 2", "true" },
    { "3 > 2.5", "true" },
    { "2 >= 3", "false" },
    { "'apple' < 'banana'", "true" },
    { "'b' >= 'a'", "true" },
    { "input.amount > 100", "true" },
    /* in */
    { "'a' in input.tags", "true" },
    { "'z' in input.tags", "false" },
    { "{a: 1} in [{a: 1}]", "true" },
    { "'name' in input.customer", "true" },
    { "'phone' in input.customer", "false" },
    { "'ell' in s", "true" },
    { "1 in null", "false" },
    /* Arithmetic */
    { "1 + 2", "3" },
    { "1.5 + 1", "2.5" },
    { "0.1 + 0.2", "0.30000000000000004" },
    { "9223372036854775807 + 1", "9223372036854775808.0" },
    { "-9223372036854775807 - 2", "-9223372036854775809.0" },
    { "4611686018427387904 * 4", "18446744073709551616.0" },
    { "7 - 10", "-3" },
    { "3 * 1.5", "4.5" },
    { "7 / 2", "3.5" },
    { "6 / 2", "3" },
    { "6.0 / 2", "3.0" },
    { "7 % 3", "1" },
    { "-7 % 3", "-1" },
    { "7.5 % 2", "1.5" },
    { "-9223372036854775807 - 1", "-9223372036854775808" },
    { "(-9223372036854775807 - 1) % -1", "0" },
    { "(-9223372036854775807 - 1) / -1", "9223372036854775808.0" },
    /* + on strings and arrays */
    { "'a' + 'b'", "\"ab\"" },
    { "'a' + 1", "\"a1\"" },
    { "1.5 + 'x'", "\"1.5x\"" },
    { "'n=' + 2.0", "\"n=2\"" },
    { "'a' + null", "\"a\"" },
    { "'a' + true", "\"atrue\"" },
    { "'a' + [1, 'b']", "\"a[1,\\\"b\\\"]\"" },
    { "'c' + {k: 1}", "\"c{\\\"k\\\":1}\"" },
    { "[1] + [2, 3]", "[1, 2, 3]" },
    { "[] + []", "[]" },
    /* Logic: results are booleans; short-circuit */
    { "'a' && 5", "true" },
    { "0 || ''", "false" },
    { "x && 0", "false" },
    { "0 && undefined_thing", "false" },
    { "1 || undefined_thing", "true" },
    { "!''", "true" },
    { "![]", "true" },
    { "!{}", "true" },
    { "!{a: 1}", "false" },
    { "!0.0", "true" },
    { "!'0'", "false" },
    { "null ?? 'd'", "\"d\"" },
    { "0 ?? 1", "0" },
    { "false ?? 1", "false" },
    { "input.missing ?? input.name", "\"Ada\"" },
    { "+x", "10" },
    { "-input.ratio", "-0.5" },
    { "true ? 'yes' : undefined_thing", "\"yes\"" },
    { "'' ? 1 : 2", "2" },
  };

  RUN_VALUES (cases);
}

static void
test_literals (void)
{
  static const ValueCase cases[] = {
    { "42", "42" },
    { "-42", "-42" },
    { "1.5e3", "1500.0" },
    { "2E-1", "0.2" },
    { "0.5", "0.5" },
    { "9223372036854775807", "9223372036854775807" },
    { "-9223372036854775808", "-9223372036854775808" },
    { "9223372036854775808", "9223372036854775808.0" },
    { "'single'", "\"single\"" },
    { "\"double\"", "\"double\"" },
    { "'it\\'s'", "\"it's\"" },
    { "\"q\\\"q\"", "\"q\\\"q\"" },
    { "'a\\nb\\tc\\\\d\\/e'", "\"a\\nb\\tc\\\\d/e\"" },
    { "'\\u00e9'", "\"é\"" },
    { "'\\ud83d\\ude00'", "\"😀\"" },
    { "'é'", "\"é\"" },
    { "true", "true" },
    { "false", "false" },
    { "null", "null" },
    { "[]", "[]" },
    { "[1, 'a', null, true, [2]]", "[1, \"a\", null, true, [2]]" },
    { "[1, 2,]", "[1, 2]" },
    { "{}", "{}" },
    { "{a: 1, 'b c': 2, \"d\": [x], null: 3, in: 4}",
      "{\"a\": 1, \"b c\": 2, \"d\": [10], \"null\": 3, \"in\": 4}" },
    { "{a: 1, a: 2}", "{\"a\": 2}" },
  };

  RUN_VALUES (cases);
}

static void
test_paths (void)
{
  static const ValueCase cases[] = {
    { "input.amount", "150" },
    { "input.customer.name", "\"Grace\"" },
    { "{{input.customer.name}}", "\"Grace\"" },
    { "input.tags[0]", "\"a\"" },
    { "input.tags[1]", "\"b\"" },
    { "input.tags[-1]", "\"b\"" },
    { "input.tags[-2]", "\"a\"" },
    { "input.tags[-3]", "null" },
    { "input.tags[2]", "null" },
    { "input.tags[1.0]", "\"b\"" },
    { "input.tags[b - 2]", "\"a\"" },
    { "input['customer']['name']", "\"Grace\"" },
    { "input['cust' + 'omer'].name", "\"Grace\"" },
    { "input.customer.email", "null" },
    { "input.missing", "null" },
    { "input.missing.deep.path", "null" },
    { "input.missing[0]", "null" },
    { "nothing.a", "null" },
    { "input.customer['nope']", "null" },
    { "s[1]", "\"e\"" },
    { "s[-1]", "\"o\"" },
    { "s[10]", "null" },
    { "'héllo'[1]", "\"é\"" },
    { "[1, 2, 3][1]", "2" },
    { "{k: 'v'}.k", "\"v\"" },
    { "{{input}}.name", "\"Ada\"" },
    { "input.items[1].price", "5.5" },
    { "{a: {null: 1}}.a.null", "1" },
  };

  RUN_VALUES (cases);
}

static void
test_node_ids (void)
{
  static const ValueCase cases[] = {
    { "{{validate-input.success}} === true", "true" },
    { "validate-input.success", "true" },
    { "validate-input.errors", "[]" },
    { "step-2.output", "\"ok\"" },
    { "{{step-2.output}} + '!'", "\"ok!\"" },
    /* Subtraction needs spaces after an identifier; a '-' before a space or another
     * operator is an operator. */
    { "x - 1", "9" },
    { "x -1", "9" },
    { "x- 1", "9" },
    { "x-(1)", "9" },
    { "validate-input.success && input.amount > 100", "true" },
  };
  static const char *const unknown[][2] = {
    { "x-1", "column 1: unknown reference 'x-1'" },
    { "a-b", "column 1: unknown reference 'a-b'" },
    { "validate - input", "column 1: unknown reference 'validate'" },
  };

  RUN_VALUES (cases);

  for (gsize i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      g_autoptr(DecaExpr) expr = deca_expr_parse (unknown[i][0], NULL, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = NULL;

      g_assert_nonnull (expr);
      result = deca_expr_evaluate (expr, test_scope (), &error);
      g_assert_null (result);
      g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_EVALUATION);
      g_assert_cmpstr (error->message, ==, unknown[i][1]);
    }
}

static void
test_functions (void)
{
  static const ValueCase cases[] = {
    { "length('héllo')", "5" },
    { "length(input.tags)", "2" },
    { "length(input.customer)", "2" },
    { "length(input.missing)", "0" },
    { "lower('ÀBC')", "\"àbc\"" },
    { "upper('abç')", "\"ABÇ\"" },
    { "trim('  a b \\n')", "\"a b\"" },
    { "trim('ab')", "\"ab\"" },
    { "contains('hello', 'ell')", "true" },
    { "contains('hello', 'z')", "false" },
    { "contains(input.tags, 'b')", "true" },
    { "contains(input.nums, '1')", "false" },
    { "contains(input.customer, 'email')", "true" },
    { "contains(input.missing, 'x')", "false" },
    { "starts_with('hello', 'he')", "true" },
    { "starts_with('hello', 'lo')", "false" },
    { "ends_with('hello', 'lo')", "true" },
    { "ends_with('hello', 'he')", "false" },
    { "split('a,b,,c', ',')", "[\"a\", \"b\", \"\", \"c\"]" },
    { "split('abc', '')", "[\"a\", \"b\", \"c\"]" },
    { "split('', ',')", "[\"\"]" },
    { "split('a--b', '--')", "[\"a\", \"b\"]" },
    { "join(input.tags, '+')", "\"a+b\"" },
    { "join([1, 2.5, null, true, 'x'], ',')", "\"1,2.5,,true,x\"" },
    { "join(input.tags)", "\"ab\"" },
    { "join([], ',')", "\"\"" },
    { "replace('a-b-c', '-', '+')", "\"a+b+c\"" },
    { "replace('aaa', 'a', 'bb')", "\"bbbbbb\"" },
    { "replace('abc', '', 'x')", "\"abc\"" },
    { "replace('abc', 'b', '')", "\"ac\"" },
    { "keys(input.customer)", "[\"name\", \"email\"]" },
    { "values({a: 1, b: 'x'})", "[1, \"x\"]" },
    { "json('{\"a\": [1, 2.5]}')", "{\"a\": [1, 2.5]}" },
    { "json('\"s\"')", "\"s\"" },
    { "json('3')", "3" },
    { "json(to_json(input.customer))", "{\"name\": \"Grace\", \"email\": null}" },
    { "to_json({a: [1, 'x', null], b: 0.1})", "\"{\\\"a\\\":[1,\\\"x\\\",null],\\\"b\\\":0.1}\"" },
    { "to_json('q\"\\n')", "\"\\\"q\\\\\\\"\\\\n\\\"\"" },
    { "to_json(null)", "\"null\"" },
    { "number('42')", "42" },
    { "number(' 1.5 ')", "1.5" },
    { "number('-1e2')", "-100.0" },
    { "number(true)", "1" },
    { "number(7)", "7" },
    { "string(1.0)", "\"1\"" },
    { "string(1.25)", "\"1.25\"" },
    { "string(1e21)", "\"1e+21\"" },
    { "string(null)", "\"\"" },
    { "string(false)", "\"false\"" },
    { "string([1, {a: 'b'}])", "\"[1,{\\\"a\\\":\\\"b\\\"}]\"" },
    { "string('s')", "\"s\"" },
    { "boolean('')", "false" },
    { "boolean('x')", "true" },
    { "boolean([0])", "true" },
    { "int('42')", "42" },
    { "int(3.9)", "3" },
    { "int(-3.9)", "-3" },
    { "int(true)", "1" },
    { "round(2.5)", "3" },
    { "round(-2.5)", "-3" },
    { "round(2.4)", "2" },
    { "round(7)", "7" },
    { "round(3.14159, 2)", "3.14" },
    { "round(1234, -2)", "1200.0" },
    { "floor(2.7)", "2" },
    { "floor(-2.1)", "-3" },
    { "floor(5)", "5" },
    { "ceil(2.1)", "3" },
    { "ceil(-2.7)", "-2" },
    { "ceil(1e300)", "1e300" },
    { "abs(-5)", "5" },
    { "abs(-2.5)", "2.5" },
    { "abs(3)", "3" },
    { "min(3, 1, 2)", "1" },
    { "max(3, 1, 2.5)", "3" },
    { "min(input.nums)", "1" },
    { "max(input.nums)", "3" },
    { "max([1.5, 1])", "1.5" },
    { "min([])", "null" },
    { "min(4)", "4" },
    { "max(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)", "16" },
    { "sum(input.nums)", "6" },
    { "sum([1, 2.5])", "3.5" },
    { "sum([])", "0" },
    { "sum([9223372036854775807, 1])", "9223372036854775808.0" },
    { "now()", "\"2023-11-14T22:13:20.123Z\"" },
    { "format_date(0, '%Y-%m-%d %H:%M:%S')", "\"1970-01-01 00:00:00\"" },
    { "format_date('2024-03-05T10:20:30Z', '%d/%m/%Y %H:%M')", "\"05/03/2024 10:20\"" },
    { "format_date('2024-03-05T10:20:30+02:00', '%H:%M')", "\"08:20\"" },
    { "format_date(now(), '%Y')", "\"2023\"" },
    { "format_date(86400.5, '%j')", "\"002\"" },
    { "parse_date('1970-01-01T00:01:00Z')", "60" },
    { "parse_date('1970-01-01T00:00:01.5Z')", "1.5" },
    { "default(input.missing, 'd')", "\"d\"" },
    { "default(input.name, 'd')", "\"Ada\"" },
    { "default(0, 1)", "0" },
    { "coalesce(null, input.missing, 0, 1)", "0" },
    { "coalesce(null)", "null" },
    { "slice(input.nums, 1)", "[1, 2]" },
    { "slice(input.nums, 0, 2)", "[3, 1]" },
    { "slice(input.nums, -1)", "[2]" },
    { "slice(input.nums, 2, 1)", "[]" },
    { "slice(input.nums, -10, 10)", "[3, 1, 2]" },
    { "slice('héllo', 1, 3)", "\"él\"" },
    { "slice('hello', -3, null)", "\"llo\"" },
    { "first(input.tags)", "\"a\"" },
    { "last(input.tags)", "\"b\"" },
    { "first([])", "null" },
    { "last('héé')", "\"é\"" },
    { "first('')", "null" },
    { "reverse(input.nums)", "[2, 1, 3]" },
    { "reverse('abé')", "\"éba\"" },
    { "sort(input.nums)", "[1, 2, 3]" },
    { "sort([2.5, 1, -3])", "[-3, 1, 2.5]" },
    { "sort(input.words)", "[\"apple\", \"fig\", \"pear\"]" },
    { "sort([])", "[]" },
    { "unique(input.dups)", "[1, \"1\", {\"a\": 1}]" },
    { "unique([1, 1.0, 2])", "[1, 2]" },
    { "unique([{a: 1, b: 2}, {b: 2, a: 1}])", "[{\"a\": 1, \"b\": 2}]" },
    { "type(null)", "\"null\"" },
    { "type(true)", "\"boolean\"" },
    { "type(1)", "\"number\"" },
    { "type(1.5)", "\"number\"" },
    { "type('s')", "\"string\"" },
    { "type([])", "\"array\"" },
    { "type({})", "\"object\"" },
    { "type(input.missing)", "\"null\"" },
    { "index_of(input.tags, 'b')", "1" },
    { "index_of(input.tags, 'z')", "-1" },
    { "index_of('héllo', 'l')", "2" },
    { "index_of('hello', 'z')", "-1" },
    { "length (input.tags)", "2" },
    { "upper(trim(' x ')) + lower('Y')", "\"Xy\"" },
  };

  RUN_VALUES (cases);
}

typedef struct {
  const char *text;
  int code;
  const char *message;
} ErrorCase;

static void
run_eval_error_cases (const ErrorCase *cases,
                      gsize            n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaExpr) expr = NULL;
      g_autoptr(JsonNode) result = NULL;
      gboolean truth = FALSE;

      expr = deca_expr_parse (cases[i].text, NULL, &error);
      if (error != NULL)
        g_error ("%s: %s", cases[i].text, error->message);
      result = deca_expr_evaluate (expr, test_scope (), &error);
      if (result != NULL)
        g_error ("%s: expected an error", cases[i].text);
      g_assert_nonnull (error);
      if (error->code != cases[i].code || g_strcmp0 (error->message, cases[i].message) != 0)
        g_error ("%s: expected error %d '%s', got %d '%s'", cases[i].text, cases[i].code,
                 cases[i].message, error->code, error->message);
      g_assert_true (error->domain == DECA_ENGINE_ERROR);
      g_clear_error (&error);

      /* The boolean entry point fails the same way. */
      g_assert_false (deca_expr_evaluate_boolean (expr, test_scope (), &truth, &error));
      g_assert_error (error, DECA_ENGINE_ERROR, cases[i].code);
    }
}

static void
test_evaluation_errors (void)
{
  static const ErrorCase cases[] = {
    { "1 / 0", DECA_ENGINE_ERROR_EVALUATION, "column 3: division by zero" },
    { "input.amount / (x - 10)", DECA_ENGINE_ERROR_EVALUATION, "column 14: division by zero" },
    { "1.5 / 0.0", DECA_ENGINE_ERROR_EVALUATION, "column 5: division by zero" },
    { "x % 0", DECA_ENGINE_ERROR_EVALUATION, "column 3: division by zero" },
    { "unknown.a", DECA_ENGINE_ERROR_EVALUATION, "column 1: unknown reference 'unknown'" },
    { "1 + {{ zz }}", DECA_ENGINE_ERROR_EVALUATION, "column 8: unknown reference 'zz'" },
    { "'a' < 1", DECA_ENGINE_ERROR_EVALUATION, "column 5: cannot compare string and number with '<'" },
    { "input.missing > 1", DECA_ENGINE_ERROR_EVALUATION,
      "column 15: cannot compare null and number with '>'" },
    { "1 - 'a'", DECA_ENGINE_ERROR_EVALUATION,
      "column 3: operator '-' needs numbers, not number and string" },
    { "null * 2", DECA_ENGINE_ERROR_EVALUATION,
      "column 6: operator '*' needs numbers, not null and number" },
    { "1 + null", DECA_ENGINE_ERROR_EVALUATION, "column 3: cannot add number and null" },
    { "{} + {}", DECA_ENGINE_ERROR_EVALUATION, "column 4: cannot add object and object" },
    { "-'a'", DECA_ENGINE_ERROR_EVALUATION, "column 1: unary '-' needs a number, not string" },
    { "+true", DECA_ENGINE_ERROR_EVALUATION, "column 1: unary '+' needs a number, not boolean" },
    { "1e308 * 10", DECA_ENGINE_ERROR_EVALUATION, "column 7: result is not a finite number" },
    { "1 in 'abc'", DECA_ENGINE_ERROR_EVALUATION,
      "column 3: cannot look for a number in a string with 'in'" },
    { "1 in {a: 1}", DECA_ENGINE_ERROR_EVALUATION,
      "column 3: cannot look for a number in a object with 'in'" },
    { "input.amount.x", DECA_ENGINE_ERROR_EVALUATION,
      "column 14: cannot read member 'x' of a number" },
    { "input.tags.x", DECA_ENGINE_ERROR_EVALUATION,
      "column 12: cannot read member 'x' of a array" },
    { "input.tags['x']", DECA_ENGINE_ERROR_EVALUATION,
      "column 12: array index must be an integer, not string" },
    { "input.tags[0.5]", DECA_ENGINE_ERROR_EVALUATION,
      "column 12: array index must be an integer, not number" },
    { "input[0]", DECA_ENGINE_ERROR_EVALUATION, "column 7: object key must be a string, not number" },
    { "x[0]", DECA_ENGINE_ERROR_EVALUATION, "column 2: cannot index a number" },
    /* Functions: arity and types, named */
    { "length()", DECA_ENGINE_ERROR_EVALUATION, "column 1: length() takes 1 argument, got 0" },
    { "length(1, 2)", DECA_ENGINE_ERROR_EVALUATION, "column 1: length() takes 1 argument, got 2" },
    { "now(1)", DECA_ENGINE_ERROR_EVALUATION, "column 1: now() takes 0 arguments, got 1" },
    { "slice([1])", DECA_ENGINE_ERROR_EVALUATION, "column 1: slice() takes 2 to 3 arguments, got 1" },
    { "coalesce()", DECA_ENGINE_ERROR_EVALUATION,
      "column 1: coalesce() takes at least 1 argument, got 0" },
    { "length(1)", DECA_ENGINE_ERROR_EVALUATION,
      "column 8: length(): argument 1 must be a string, array or object, not number" },
    { "lower(1)", DECA_ENGINE_ERROR_EVALUATION, "column 7: lower(): argument 1 must be a string, not number" },
    { "upper(null)", DECA_ENGINE_ERROR_EVALUATION, "column 7: upper(): argument 1 must be a string, not null" },
    { "trim([])", DECA_ENGINE_ERROR_EVALUATION, "column 6: trim(): argument 1 must be a string, not array" },
    { "contains('a', 1)", DECA_ENGINE_ERROR_EVALUATION,
      "column 15: contains(): argument 2 must be a string, not number" },
    { "contains(1, 1)", DECA_ENGINE_ERROR_EVALUATION,
      "column 10: contains(): argument 1 must be a string, array or object, not number" },
    { "starts_with(1, 'a')", DECA_ENGINE_ERROR_EVALUATION,
      "column 13: starts_with(): argument 1 must be a string, not number" },
    { "ends_with('a', 1)", DECA_ENGINE_ERROR_EVALUATION,
      "column 16: ends_with(): argument 2 must be a string, not number" },
    { "split(1, ',')", DECA_ENGINE_ERROR_EVALUATION, "column 7: split(): argument 1 must be a string, not number" },
    { "join('a', ',')", DECA_ENGINE_ERROR_EVALUATION, "column 6: join(): argument 1 must be an array, not string" },
    { "join([], 1)", DECA_ENGINE_ERROR_EVALUATION, "column 10: join(): argument 2 must be a string, not number" },
    { "replace('a', 1, 'b')", DECA_ENGINE_ERROR_EVALUATION,
      "column 14: replace(): argument 2 must be a string, not number" },
    { "keys([])", DECA_ENGINE_ERROR_EVALUATION, "column 6: keys(): argument 1 must be an object, not array" },
    { "values('a')", DECA_ENGINE_ERROR_EVALUATION, "column 8: values(): argument 1 must be an object, not string" },
    { "json(1)", DECA_ENGINE_ERROR_EVALUATION, "column 6: json(): argument 1 must be a string, not number" },
    { "number('abc')", DECA_ENGINE_ERROR_EVALUATION, "column 8: number(): 'abc' is not a number" },
    { "number('0x10')", DECA_ENGINE_ERROR_EVALUATION, "column 8: number(): '0x10' is not a number" },
    { "number(null)", DECA_ENGINE_ERROR_EVALUATION,
      "column 8: number(): argument 1 must be a number, string or boolean, not null" },
    { "int('1e300')", DECA_ENGINE_ERROR_EVALUATION, "column 1: int(): number out of range" },
    { "int([])", DECA_ENGINE_ERROR_EVALUATION,
      "column 5: int(): argument 1 must be a number, string or boolean, not array" },
    { "round('1')", DECA_ENGINE_ERROR_EVALUATION, "column 7: round(): argument 1 must be a number, not string" },
    { "round(1.5, 99)", DECA_ENGINE_ERROR_EVALUATION,
      "column 12: round(): digits must be an integer from -15 to 15" },
    { "floor(null)", DECA_ENGINE_ERROR_EVALUATION, "column 7: floor(): argument 1 must be a number, not null" },
    { "ceil('x')", DECA_ENGINE_ERROR_EVALUATION, "column 6: ceil(): argument 1 must be a number, not string" },
    { "abs(true)", DECA_ENGINE_ERROR_EVALUATION, "column 5: abs(): argument 1 must be a number, not boolean" },
    { "min(1, 'a')", DECA_ENGINE_ERROR_EVALUATION, "column 8: min(): argument 2 must be a number, not string" },
    { "max([1, 'a'])", DECA_ENGINE_ERROR_EVALUATION, "column 1: max(): element 1 is a string, not a number" },
    { "sum([1, null])", DECA_ENGINE_ERROR_EVALUATION, "column 1: sum(): element 1 is a null, not a number" },
    { "sum(1)", DECA_ENGINE_ERROR_EVALUATION, "column 5: sum(): argument 1 must be an array, not number" },
    { "format_date('yesterday', '%Y')", DECA_ENGINE_ERROR_EVALUATION,
      "column 13: format_date(): not a valid date" },
    { "format_date(0, '%Q')", DECA_ENGINE_ERROR_EVALUATION, "column 16: format_date(): invalid format" },
    { "format_date(0, 1)", DECA_ENGINE_ERROR_EVALUATION,
      "column 16: format_date(): argument 2 must be a string, not number" },
    { "format_date([], '%Y')", DECA_ENGINE_ERROR_EVALUATION,
      "column 13: format_date(): argument 1 must be a date string or a number, not array" },
    { "format_date(1e15, '%Y')", DECA_ENGINE_ERROR_EVALUATION,
      "column 13: format_date(): not a valid date" },
    { "parse_date(5)", DECA_ENGINE_ERROR_EVALUATION,
      "column 12: parse_date(): argument 1 must be a string, not number" },
    { "slice(1, 0)", DECA_ENGINE_ERROR_EVALUATION,
      "column 7: slice(): argument 1 must be an array or a string, not number" },
    { "slice([], 'a')", DECA_ENGINE_ERROR_EVALUATION,
      "column 11: slice(): argument 2 must be an integer, not string" },
    { "first(1)", DECA_ENGINE_ERROR_EVALUATION,
      "column 7: first(): argument 1 must be an array or a string, not number" },
    { "last({})", DECA_ENGINE_ERROR_EVALUATION,
      "column 6: last(): argument 1 must be an array or a string, not object" },
    { "reverse(1)", DECA_ENGINE_ERROR_EVALUATION,
      "column 9: reverse(): argument 1 must be an array or a string, not number" },
    { "sort([1, 'a'])", DECA_ENGINE_ERROR_EVALUATION,
      "column 1: sort(): needs an array of only numbers or only strings (element 1 is a string)" },
    { "sort(['a', null])", DECA_ENGINE_ERROR_EVALUATION,
      "column 1: sort(): needs an array of only numbers or only strings (element 1 is a null)" },
    { "sort('ab')", DECA_ENGINE_ERROR_EVALUATION, "column 6: sort(): argument 1 must be an array, not string" },
    { "unique({})", DECA_ENGINE_ERROR_EVALUATION, "column 8: unique(): argument 1 must be an array, not object" },
    { "index_of(1, 1)", DECA_ENGINE_ERROR_EVALUATION,
      "column 10: index_of(): argument 1 must be an array or a string, not number" },
    { "index_of('a', 1)", DECA_ENGINE_ERROR_EVALUATION,
      "column 15: index_of(): argument 2 must be a string, not number" },
  };

  run_eval_error_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_json_errors (void)
{
  g_autoptr(DecaExpr) expr = deca_expr_parse ("json('{')", NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = deca_expr_evaluate (expr, test_scope (), &error);

  g_assert_null (result);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_EVALUATION);
  g_assert_true (g_str_has_prefix (error->message, "column 1: json(): invalid JSON: "));
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
    { "", 0, "column 1: expected an expression, found end of expression" },
    { "   ", 3, "column 4: expected an expression, found end of expression" },
    { "1 +", 3, "column 4: expected an expression, found end of expression" },
    { "(1 + 2", 6, "column 7: expected ')', found end of expression" },
    { "[1, 2", 5, "column 6: expected ',' or ']', found end of expression" },
    { "{a 1}", 3, "column 4: expected ':', found '1'" },
    { "{1: 2}", 1, "column 2: expected an object key, found '1'" },
    { "{a: 1 b: 2}", 6, "column 7: expected ',' or '}', found 'b'" },
    { "1 = 2", 2, "column 3: unexpected '=' (compare with '==' or '===')" },
    { "a & b", 2, "column 3: unexpected '&' (did you mean '&&'?)" },
    { "a | b", 2, "column 3: unexpected '|' (did you mean '||'?)" },
    { "foo(1)", 0, "column 1: unknown function 'foo'" },
    { "1 + lenght(x)", 4, "column 5: unknown function 'lenght'" },
    { "a.b(1)", 3, "column 4: only functions can be called" },
    { "'abc", 0, "column 1: unterminated string" },
    { "x + \"abc", 4, "column 5: unterminated string" },
    { "'a\\qb'", 2, "column 3: invalid escape sequence" },
    { "'\\u12'", 1, "column 2: \\u must be followed by four hex digits" },
    { "'\\ud800'", 1, "column 2: unpaired surrogate in \\u escape" },
    { "'\\u0000'", 1, "column 2: \\u0000 is not allowed in strings" },
    { "1 2", 2, "column 3: unexpected '2'" },
    { "a b", 2, "column 3: unexpected 'b'" },
    { "3abc", 0, "column 1: invalid number" },
    { "1.2.3", 0, "column 1: invalid number" },
    { "1e", 0, "column 1: invalid number" },
    { "1e999", 0, "column 1: number out of range" },
    { "'éé' + #", 9, "column 8: unexpected character '#'" },
    { "é", 0, "column 1: unexpected character 'é'" },
    { "1 + ~", 4, "column 5: unexpected character '~'" },
    { "a.", 2, "column 3: expected a member name, found end of expression" },
    { "a.1", 2, "column 3: expected a member name, found '1'" },
    { "a[1", 3, "column 4: expected ']', found end of expression" },
    { "true ? 1", 8, "column 9: expected ':', found end of expression" },
    { "{{ a }", 5, "column 6: expected '}}'" },
    { "{{ a } }", 5, "column 6: expected '}}'" },
    { "{{ }}", 3, "column 4: expected an expression, found '}'" },
    { "a )", 2, "column 3: unexpected ')'" },
    { "'a' 'very long string literal here'", 4, "column 5: unexpected ''very long string l…'" },
    { "\x01", 0, "column 1: unexpected character U+0001" },
    { "max(1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1)", 36, "column 37: too many arguments (at most 16)" },
    { "'\xff'", 1, "column 2: invalid UTF-8" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaExpr) expr = NULL;
      gsize offset = G_MAXSIZE;

      expr = deca_expr_parse (cases[i].text, &offset, &error);
      if (expr != NULL)
        g_error ("'%s': expected a syntax error", cases[i].text);
      g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_EXPRESSION);
      if (offset != cases[i].offset || g_strcmp0 (error->message, cases[i].message) != 0)
        g_error ("'%s': expected %" G_GSIZE_FORMAT " '%s', got %" G_GSIZE_FORMAT " '%s'",
                 cases[i].text, cases[i].offset, cases[i].message, offset, error->message);

      /* Without an error location the parser still fails cleanly. */
      g_assert_null (deca_expr_parse (cases[i].text, NULL, NULL));
    }
}

static char *
repeat (const char *prefix,
        const char *unit,
        guint       n,
        const char *middle,
        const char *suffix_unit)
{
  GString *s = g_string_new (prefix);

  for (guint i = 0; i < n; i++)
    g_string_append (s, unit);
  g_string_append (s, middle);
  for (guint i = 0; suffix_unit != NULL && i < n; i++)
    g_string_append (s, suffix_unit);
  return g_string_free (s, FALSE);
}

static void
assert_parses (const char *text,
               gboolean    ok)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaExpr) expr = deca_expr_parse (text, NULL, &error);

  if (ok)
    {
      g_assert_no_error (error);
      g_assert_nonnull (expr);
    }
  else
    {
      g_assert_null (expr);
      g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_EXPRESSION);
      g_assert_nonnull (strstr (error->message, "too deeply nested"));
    }
}

static void
test_limits_nesting (void)
{
  g_autofree char *parens_ok = repeat ("", "(", 60, "1", ")");
  g_autofree char *parens_deep = repeat ("", "(", 100, "1", ")");
  g_autofree char *parens_huge = repeat ("", "(", 100000, "1", ")");
  g_autofree char *brackets_deep = repeat ("", "[", 100, "1", "]");
  g_autofree char *not_deep = repeat ("", "!", 100000, "1", NULL);
  g_autofree char *chain_ok = repeat ("1", " + 1", 200, "", NULL);
  g_autofree char *chain_deep = repeat ("1", " + 1", 300, "", NULL);
  g_autofree char *members_deep = repeat ("a", ".b", 300, "", NULL);
  g_autofree char *braces_deep = repeat ("", "{{", 100, "1", "}}");
  g_autofree char *calls_deep = repeat ("", "abs(", 100, "1", ")");

  assert_parses (parens_ok, TRUE);
  assert_parses (parens_deep, FALSE);
  assert_parses (parens_huge, FALSE);
  assert_parses (brackets_deep, FALSE);
  assert_parses (not_deep, FALSE);
  assert_parses (chain_ok, TRUE);
  assert_parses (chain_deep, FALSE);
  assert_parses (members_deep, FALSE);
  assert_parses (braces_deep, FALSE);
  assert_parses (calls_deep, FALSE);

  {
    g_autoptr(DecaExpr) expr = deca_expr_parse (chain_ok, NULL, NULL);
    g_autoptr(JsonNode) result = deca_expr_evaluate (expr, test_scope (), NULL);

    g_assert_cmpint (json_node_get_int (result), ==, 201);
  }
}

static void
assert_limit (const char          *text,
              const DecaExprScope *scope,
              const char          *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DecaExpr) expr = deca_expr_parse (text, NULL, &error);
  g_autoptr(JsonNode) result = NULL;

  g_assert_no_error (error);
  result = deca_expr_evaluate (expr, scope, &error);
  g_assert_null (result);
  g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_LIMIT);
  if (strstr (error->message, message_part) == NULL)
    g_error ("%.60s: '%s' does not mention '%s'", text, error->message, message_part);
}

static JsonNode *
big_resolve_cb (const char *name,
                gpointer    user_data)
{
  return json_object_get_member (user_data, name);
}

static void
test_limits_size (void)
{
  g_autoptr(JsonObject) root = json_object_new ();
  g_autoptr(JsonArray) huge = json_array_new ();
  g_autofree char *big = g_strnfill (300 * 1024, 'a');
  g_autofree char *big9 = g_strnfill (900 * 1024, 'b');
  DecaExprScope scope = { big_resolve_cb, root, 0 };
  g_autofree char *many_terms = NULL;
  g_autofree char *many_arrays = NULL;

  for (guint i = 0; i < 100000; i++)
    json_array_add_int_element (huge, i);
  json_object_set_string_member (root, "big", big);
  json_object_set_string_member (root, "big9", big9);
  json_object_set_array_member (root, "huge", json_array_ref (huge));

  /* Concatenation stops at 1 MiB without building the oversized string. */
  assert_limit ("big + big + big + big", &scope, "string longer than 1048576 bytes");
  assert_limit ("big9 + big9", &scope, "string longer than 1048576 bytes");
  /* Exponential growth through nested replace() fails before allocating. */
  assert_limit ("replace(replace(replace(replace(big, 'a', big), 'a', big), 'a', big), 'a', big)",
                &scope, "replace(): result larger than");
  assert_limit ("join([big, big, big, big], '')", &scope, "join(): result larger than");
  assert_limit ("to_json([big, big, big, big])", &scope, "to_json(): result larger than");
  assert_limit ("string([big, big, big, big])", &scope, "string(): result larger than");
  /* Element limits. */
  assert_limit ("split(big, '')", &scope, "split(): more than 100000 elements");
  assert_limit ("huge + [1]", &scope, "more than 100000 elements");
  /* Total allocation per evaluation. */
  many_terms = repeat ("[", "big9 + 'x', ", 20, "0]", NULL);
  assert_limit (many_terms, &scope, "evaluation allocated more than");
  /* Steps: functions pay per element they touch. */
  many_arrays = repeat ("0", " + sum(huge)", 12, "", NULL);
  assert_limit (many_arrays, &scope, "evaluation took more than 1000000 steps");

  /* Just below the limits works. */
  {
    g_autoptr(DecaExpr) expr = deca_expr_parse ("length(big + big + big)", NULL, NULL);
    g_autoptr(JsonNode) result = deca_expr_evaluate (expr, &scope, NULL);

    g_assert_nonnull (result);
    g_assert_cmpint (json_node_get_int (result), ==, 3 * 300 * 1024);
  }
  {
    g_autoptr(DecaExpr) expr = deca_expr_parse ("sum(huge)", NULL, NULL);
    g_autoptr(JsonNode) result = deca_expr_evaluate (expr, &scope, NULL);

    g_assert_nonnull (result);
    g_assert_cmpint (json_node_get_int (result), ==, G_GINT64_CONSTANT (4999950000));
  }
}

static void
test_json_depth_limit (void)
{
  g_autofree char *deep = repeat ("json('", "[", 1000, "", "]");
  g_autofree char *text = g_strconcat (deep, "')", NULL);

  assert_limit (text, test_scope (), "json(): result larger than");
}

typedef struct {
  const char *root;
  const char *path;
  guint offset;
} RefCase;

static void
check_references (const char    *text,
                  const RefCase *expected,
                  guint          n)
{
  g_autoptr(DecaExpr) expr = deca_expr_parse (text, NULL, NULL);
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_expr_reference_free);

  g_assert_nonnull (expr);
  deca_expr_collect_references (expr, refs);
  if (refs->len != n)
    g_error ("%s: expected %u references, got %u", text, n, refs->len);
  for (guint i = 0; i < n; i++)
    {
      DecaExprReference *ref = refs->pdata[i];

      if (g_strcmp0 (ref->root, expected[i].root) != 0
          || g_strcmp0 (ref->path, expected[i].path) != 0 || ref->offset != expected[i].offset)
        g_error ("%s: reference %u: expected %s %s @%u, got %s %s @%u", text, i,
                 expected[i].root, expected[i].path, expected[i].offset, ref->root, ref->path,
                 ref->offset);
    }
}

static void
test_references (void)
{
  static const RefCase r1[] = {
    { "validate-input", "validate-input.success", 2 },
    { "input", "input.amount", 39 },
  };
  static const RefCase r2[] = {
    { "input", "input.items[0].price", 7 },
    { "input", "input.tags", 31 },
    { "x", "x", 42 },
  };
  static const RefCase r3[] = {
    { "input", "input.customer.name", 0 },
  };
  static const RefCase r4[] = {
    { "step-2", "step-2.output", 8 },
    { "credentials", "credentials.openai.api_key", 30 },
  };
  static const RefCase r5[] = {
    { "input", "input", 1 },
    { "a", "a", 19 },
  };

  check_references ("{{validate-input.success}} === true && input.amount > 100", r1, 2);
  check_references ("length(input.items[0].price) + input.tags[x].y", r2, 3);
  check_references ("input['customer'].name", r3, 1);
  check_references ("default(step-2.output, 'x') + credentials.openai.api_key", r4, 2);
  check_references ("(input)['a b'].c + a", r5, 2);
  check_references ("1 + now()", NULL, 0);
}

static JsonNode *
counting_resolve_cb (const char *name,
                     gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
  return NULL;
}

static void
test_evaluate_boolean (void)
{
  static const struct {
    const char *text;
    gboolean expected;
  } cases[] = {
    { "{{validate-input.success}} === true && {{input.amount}} > 100", TRUE },
    { "input.amount > 1000", FALSE },
    { "input.empty", FALSE },
    { "input.name", TRUE },
    { "input.tags", TRUE },
    { "validate-input.errors", FALSE },
    { "input.customer", TRUE },
    { "{}", FALSE },
    { "0.0", FALSE },
    { "-1", TRUE },
    { "null", FALSE },
    { "input.missing", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DecaExpr) expr = deca_expr_parse (cases[i].text, NULL, NULL);
      g_autoptr(GError) error = NULL;
      gboolean result = !cases[i].expected;

      g_assert_true (deca_expr_evaluate_boolean (expr, test_scope (), &result, &error));
      g_assert_no_error (error);
      if (result != cases[i].expected)
        g_error ("%s: expected %d", cases[i].text, cases[i].expected);
    }

  /* A NULL scope, or a resolver that knows nothing, makes every root unknown. */
  {
    g_autoptr(DecaExpr) expr = deca_expr_parse ("a && b", NULL, NULL);
    g_autoptr(GError) error = NULL;
    guint count = 0;
    DecaExprScope scope = { counting_resolve_cb, &count, 0 };
    gboolean result;

    g_assert_false (deca_expr_evaluate_boolean (expr, NULL, &result, &error));
    g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_EVALUATION);
    g_clear_error (&error);
    g_assert_false (deca_expr_evaluate_boolean (expr, &scope, &result, &error));
    g_assert_cmpstr (error->message, ==, "column 1: unknown reference 'a'");
    g_assert_cmpuint (count, ==, 1);
  }
}

static void
test_now_real_time (void)
{
  g_autoptr(DecaExpr) expr = deca_expr_parse ("parse_date(now())", NULL, NULL);
  DecaExprScope scope = { resolve_cb, scope_root, 0 };
  g_autoptr(JsonNode) result = deca_expr_evaluate (expr, &scope, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  double got;

  g_assert_nonnull (result);
  got = json_node_get_value_type (result) == G_TYPE_INT64 ? (double) json_node_get_int (result)
                                                          : json_node_get_double (result);
  g_assert_cmpfloat (fabs (got - (double) now), <, 5.0);
}

static void
test_truthy_and_display (void)
{
  static const struct {
    const char *json;
    gboolean truthy;
    const char *display;
  } cases[] = {
    { "null", FALSE, "" },
    { "false", FALSE, "false" },
    { "true", TRUE, "true" },
    { "0", FALSE, "0" },
    { "-3", TRUE, "-3" },
    { "0.0", FALSE, "0" },
    { "2.50", TRUE, "2.5" },
    { "0.1", TRUE, "0.1" },
    { "1e100", TRUE, "1e+100" },
    { "\"\"", FALSE, "" },
    { "\"0\"", TRUE, "0" },
    { "\"é\\n\"", TRUE, "é\n" },
    { "[]", FALSE, "[]" },
    { "[1, \"a\\\"\"]", TRUE, "[1,\"a\\\"\"]" },
    { "{}", FALSE, "{}" },
    { "{\"a\": {\"b\": null}}", TRUE, "{\"a\":{\"b\":null}}" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = parse_json (cases[i].json);
      g_autofree char *display = deca_json_to_display_string (node);

      if (deca_json_is_truthy (node) != cases[i].truthy)
        g_error ("%s: truthiness should be %d", cases[i].json, cases[i].truthy);
      g_assert_cmpstr (display, ==, cases[i].display);
    }
  g_assert_false (deca_json_is_truthy (NULL));
}

static void
test_refcount (void)
{
  DecaExpr *expr = deca_expr_parse ("1 + 1", NULL, NULL);

  g_assert_true (deca_expr_ref (expr) == expr);
  deca_expr_unref (expr);
  g_assert_cmpstr (deca_expr_get_text (expr), ==, "1 + 1");
  deca_expr_unref (expr);
}

/* Results may share containers with the scope, but a result built by the expression is
 * independent of the evaluation that built it. */
static void
test_result_lifetime (void)
{
  g_autoptr(DecaExpr) expr = deca_expr_parse ("[input.name + '!', {k: input.tags}, sort(input.nums)]",
                                              NULL, NULL);
  g_autoptr(JsonNode) result = deca_expr_evaluate (expr, test_scope (), NULL);

  assert_value ("lifetime", result, "[\"Ada!\", {\"k\": [\"a\", \"b\"]}, [1, 2, 3]]");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(JsonNode) root = NULL;

  g_test_init (&argc, &argv, NULL);

  root = parse_json (scope_json);
  scope_root = json_node_get_object (root);

  g_test_add_func ("/deca/engine/expr/precedence", test_precedence);
  g_test_add_func ("/deca/engine/expr/operators", test_operators);
  g_test_add_func ("/deca/engine/expr/literals", test_literals);
  g_test_add_func ("/deca/engine/expr/paths", test_paths);
  g_test_add_func ("/deca/engine/expr/node-ids", test_node_ids);
  g_test_add_func ("/deca/engine/expr/functions", test_functions);
  g_test_add_func ("/deca/engine/expr/evaluation-errors", test_evaluation_errors);
  g_test_add_func ("/deca/engine/expr/json-errors", test_json_errors);
  g_test_add_func ("/deca/engine/expr/syntax-errors", test_syntax_errors);
  g_test_add_func ("/deca/engine/expr/limits/nesting", test_limits_nesting);
  g_test_add_func ("/deca/engine/expr/limits/size", test_limits_size);
  g_test_add_func ("/deca/engine/expr/limits/json-depth", test_json_depth_limit);
  g_test_add_func ("/deca/engine/expr/references", test_references);
  g_test_add_func ("/deca/engine/expr/evaluate-boolean", test_evaluate_boolean);
  g_test_add_func ("/deca/engine/expr/now", test_now_real_time);
  g_test_add_func ("/deca/engine/expr/truthy-display", test_truthy_and_display);
  g_test_add_func ("/deca/engine/expr/refcount", test_refcount);
  g_test_add_func ("/deca/engine/expr/result-lifetime", test_result_lifetime);

  return g_test_run ();
}
