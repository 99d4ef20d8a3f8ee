/* test-json-parse.c: deca_json_try_parse(), the quick parser in front of json-glib. What
 * it takes must give the very tree json-glib gives (types, values, member order); what it
 * leaves must come back NULL, for json-glib to read or refuse with its position. */

#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "deca-json.h"

/* Asserts that @a and @b are the same tree, member order and value types included. */
static void
assert_same_tree (JsonNode *a,
                  JsonNode *b)
{
  g_assert_cmpint (JSON_NODE_TYPE (a), ==, JSON_NODE_TYPE (b));
  switch (JSON_NODE_TYPE (a))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter ia, ib;
        const char *name_a, *name_b;
        JsonNode *member_a, *member_b;

        g_assert_cmpuint (json_object_get_size (json_node_get_object (a)), ==,
                          json_object_get_size (json_node_get_object (b)));
        json_object_iter_init_ordered (&ia, json_node_get_object (a));
        json_object_iter_init_ordered (&ib, json_node_get_object (b));
        while (json_object_iter_next_ordered (&ia, &name_a, &member_a))
          {
            g_assert_true (json_object_iter_next_ordered (&ib, &name_b, &member_b));
            g_assert_cmpstr (name_a, ==, name_b);
            assert_same_tree (member_a, member_b);
          }
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array_a = json_node_get_array (a);
        JsonArray *array_b = json_node_get_array (b);

        g_assert_cmpuint (json_array_get_length (array_a), ==, json_array_get_length (array_b));
        for (guint i = 0; i < json_array_get_length (array_a); i++)
          assert_same_tree (json_array_get_element (array_a, i), json_array_get_element (array_b, i));
      }
      break;
    case JSON_NODE_VALUE:
      g_assert_cmpint (json_node_get_value_type (a), ==, json_node_get_value_type (b));
      switch (json_node_get_value_type (a))
        {
        case G_TYPE_STRING:
          g_assert_cmpstr (json_node_get_string (a), ==, json_node_get_string (b));
          break;
        case G_TYPE_INT64:
          g_assert_cmpint (json_node_get_int (a), ==, json_node_get_int (b));
          break;
        case G_TYPE_DOUBLE:
          g_assert_true (memcmp (&(double) { json_node_get_double (a) }, &(double) { json_node_get_double (b) },
                                 sizeof (double)) == 0);
          break;
        case G_TYPE_BOOLEAN:
          g_assert_cmpint (json_node_get_boolean (a), ==, json_node_get_boolean (b));
          break;
        default:
          g_assert_not_reached ();
        }
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
}

static const char * const taken[] = {
  "{}",
  "[]",
  "  {\"a\": 1}\n",
  "42",
  "-7",
  "0",
  "-0",
  "3.25",
  "-0.5",
  "142.5",
  "999999999999999999",
  "-999999999999999999",
  "true",
  "false",
  "null",
  "\"plain\"",
  "\"\"",
  "\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t\"",
  "\"\\u00e9t\\u00E9 \\u20ac \\ud83d\\ude00\"",
  "\"utf-8 as is: \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
  "{\"order_id\": \"A-10042\", \"customer\": {\"name\": \"Ada\", \"email\": \"Ada@Example.com\"},"
  " \"amount\": 142.5, \"currency\": \"EUR\", \"items\": [{\"sku\": \"X1\", \"qty\": 2}, {\"sku\": \"Y7\", \"qty\": 1}]}",
  "{\"z\": 1, \"a\": 2, \"m\": [3, [4, [5, {}]], []], \"n\": null, \"t\": true}",
  "[1, 2.5, \"x\", null, false, {\"k\": [\"v\"]}]",
  "{ \"spaced\" :\t[ 1 ,2 ] , \"b\" : { } }",
};

/* Valid JSON the quick parser leaves to json-glib, and text that is not JSON. */
static const char * const left[] = {
  "{\"a\": 1, \"a\": 2}",
  "1e5",
  "1.5E-3",
  "1234567890123456789",
  "\"\\u0000\"",
  "\"\\udc00\"",
  "\"\\ud800 alone\"",
  "\"tab\tinside\"",
  "01",
  "1.",
  ".5",
  "-",
  "+1",
  "tru",
  "nul",
  "{\"a\" 1}",
  "{\"a\": 1,}",
  "[1, 2,]",
  "[1 2]",
  "{a: 1}",
  "'single'",
  "\"open",
  "\"bad \\x escape\"",
  "{} {}",
  "[1]]",
  "",
  "   ",
};

static void
test_taken_is_json_glib_tree (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (taken); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) quick = deca_json_try_parse (taken[i], strlen (taken[i]));

      g_test_message ("%s", taken[i]);
      g_assert_nonnull (quick);
      g_assert_true (json_parser_load_from_data (parser, taken[i], -1, &error));
      g_assert_no_error (error);
      assert_same_tree (quick, json_parser_get_root (parser));
    }
}

static void
test_left_for_json_glib (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (left); i++)
    {
      g_test_message ("%s", left[i]);
      g_assert_null (deca_json_try_parse (left[i], strlen (left[i])));
    }
}

/* Nesting up to 64 is taken, deeper is left (json-glib's own guard is elsewhere). */
static void
test_depth (void)
{
  g_autoptr(GString) ok = g_string_new (NULL);
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(JsonNode) quick = NULL;

  for (guint i = 0; i < 64; i++)
    g_string_append_c (ok, '[');
  for (guint i = 0; i < 64; i++)
    g_string_append_c (ok, ']');
  quick = deca_json_try_parse (ok->str, ok->len);
  g_assert_nonnull (quick);

  for (guint i = 0; i < 65; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 65; i++)
    g_string_append_c (deep, ']');
  g_assert_null (deca_json_try_parse (deep->str, deep->len));
}

/* deca_json_parse() gives the same trees through the quick path, and json-glib's errors
 * for what the quick path leaves. */
static void
test_parse_uses_both (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = deca_json_parse ("{\"a\": [1, 2.5]}", -1, &error);
  g_autoptr(JsonNode) duplicate = NULL;
  g_autoptr(JsonNode) bad = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (json_node_get_object (node), "a"), 0),
                   ==, 1);
  /* json-glib reads duplicates (the last one wins there). */
  duplicate = deca_json_parse ("{\"a\": 1, \"a\": 2}", -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (duplicate);
  bad = deca_json_parse ("{\"a\": 1,}", -1, &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "line 1"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/engine/json/try-parse/taken", test_taken_is_json_glib_tree);
  g_test_add_func ("/deca/engine/json/try-parse/left", test_left_for_json_glib);
  g_test_add_func ("/deca/engine/json/try-parse/depth", test_depth);
  g_test_add_func ("/deca/engine/json/try-parse/parse", test_parse_uses_both);

  return g_test_run ();
}
