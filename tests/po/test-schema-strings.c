/* test-schema-strings.c: engine/nodes/deca-schema-strings.h holds every title and
 * description of the built-in node types' config schemas, so that they reach the
 * catalogue (the inspector shows them translated). When a schema changes, regenerate it
 * with build-aux/extract-schema-strings.py. */

#include <string.h>

#include "deca-engine.h"

static void
collect (JsonNode   *node,
         GPtrArray  *texts)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l; l = l->next)
        {
          JsonNode *value = json_object_get_member (object, l->data);

          if ((g_str_equal (l->data, "title") || g_str_equal (l->data, "description"))
              && JSON_NODE_HOLDS_VALUE (value)
              && json_node_get_value_type (value) == G_TYPE_STRING)
            g_ptr_array_add (texts, (gpointer) json_node_get_string (value));
          else
            collect (value, texts);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        collect (json_array_get_element (array, i), texts);
    }
}

/* The C literal the generator writes for @text. */
static char *
c_literal (const char *text)
{
  GString *out = g_string_new ("N_(\"");

  for (const char *p = text; *p; p++)
    {
      if (*p == '\\' || *p == '"')
        g_string_append_c (out, '\\');
      if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
  g_string_append (out, "\")");
  return g_string_free (out, FALSE);
}

static void
test_schema_strings_listed (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("DECA_SOURCE_DIR"), "engine", "nodes",
                                            "deca-schema-strings.h", NULL);
  g_autofree char *header = NULL;
  g_autoptr(DecaNodeRegistry) registry = deca_node_registry_new_builtin ();
  g_autoptr(GPtrArray) types = deca_node_registry_list (registry);
  g_autoptr(GString) missing = g_string_new (NULL);
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &header, NULL, NULL));
  for (guint i = 0; i < types->len; i++)
    {
      g_autoptr(GPtrArray) texts = g_ptr_array_new ();

      collect (deca_node_type_get_config_schema (types->pdata[i]), texts);
      for (guint j = 0; j < texts->len; j++)
        {
          g_autofree char *literal = c_literal (texts->pdata[j]);

          if (*(const char *) texts->pdata[j] == '\0')
            continue;
          n++;
          if (strstr (header, literal) == NULL)
            g_string_append_printf (missing, "\n  %s: %s",
                                    deca_node_type_get_name (types->pdata[i]), literal);
        }
    }
  g_assert_cmpuint (n, >, 50);
  if (missing->len > 0)
    g_error ("engine/nodes/deca-schema-strings.h lacks (run build-aux/extract-schema-strings.py):%s",
             missing->str);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/deca/po/schema-strings/listed", test_schema_strings_listed);
  return g_test_run ();
}
