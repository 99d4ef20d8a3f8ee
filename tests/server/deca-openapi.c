/* deca-openapi.c: the OpenAPI document in the tests (deca-openapi.h). */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <yaml.h>

#include <deca-api-openapi.h>

#include "deca-openapi.h"

/* Deeper $ref chains than this are taken for a cycle. */
#define MAX_REF_DEPTH 64

struct _DecaOpenApi
{
  JsonNode *root;
};

/* --- YAML to JSON ------------------------------------------------------------------- */

static gboolean
matches (const char *pattern,
         const char *text)
{
  return g_regex_match_simple (pattern, text, 0, 0);
}

/* The JSON value of a plain, untagged YAML 1.1 scalar. */
static JsonNode *
plain_scalar (const char *text)
{
  JsonNode *node;

  if (matches ("^(~|null|Null|NULL|)$", text))
    return json_node_new (JSON_NODE_NULL);
  if (matches ("^(y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$", text))
    {
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_boolean (node, TRUE);
      return node;
    }
  if (matches ("^(n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$", text))
    {
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_boolean (node, FALSE);
      return node;
    }
  if (matches ("^[-+]?(0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|0[0-7_]+)$", text))
    {
      g_autoptr(GString) digits = g_string_new (NULL);
      const char *p = text;
      gboolean negative = FALSE;
      guint base = 10;
      guint64 value;
      char *end;

      if (*p == '-' || *p == '+')
        negative = *p++ == '-';
      if (g_str_has_prefix (p, "0x"))
        {
          base = 16;
          p += 2;
        }
      else if (p[0] == '0' && p[1] != '\0')
        base = 8;
      for (; *p != '\0'; p++)
        if (*p != '_')
          g_string_append_c (digits, *p);
      errno = 0;
      value = g_ascii_strtoull (digits->str, &end, base);
      if (errno == 0 && *end == '\0' && value <= (guint64) G_MAXINT64)
        {
          node = json_node_new (JSON_NODE_VALUE);
          json_node_set_int (node, negative ? -(gint64) value : (gint64) value);
          return node;
        }
    }
  if (matches ("^[-+]?([0-9][0-9_]*)?\\.[0-9_]*([eE][-+][0-9]+)?$", text) && strcmp (text, ".") != 0)
    {
      g_autofree char *copy = g_strdup (text);
      char *out = copy;

      for (const char *p = text; *p != '\0'; p++)
        if (*p != '_')
          *out++ = *p;
      *out = '\0';
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_double (node, g_ascii_strtod (copy, NULL));
      return node;
    }
  if (matches ("^[-+]?\\.(inf|Inf|INF)$", text) || matches ("^\\.(nan|NaN|NAN)$", text))
    {
      node = json_node_new (JSON_NODE_VALUE);
      if (text[strlen (text) - 1] == 'n' || text[strlen (text) - 1] == 'N')
        json_node_set_double (node, text[1] == 'n' || text[1] == 'N' ? NAN : INFINITY);
      else
        json_node_set_double (node, text[0] == '-' ? -INFINITY : INFINITY);
      return node;
    }
  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (node, text);
  return node;
}

static JsonNode *
yaml_node_to_json (yaml_document_t  *document,
                   yaml_node_t      *node,
                   guint             depth,
                   GError          **error)
{
  JsonNode *result = NULL;

  /* Aliases are node indices in libyaml's documents: a cycle would never end. */
  if (depth > 256)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "line %lu: nested too deeply (an alias cycle?)",
                   (unsigned long) node->start_mark.line + 1);
      return NULL;
    }
  switch (node->type)
    {
    case YAML_SCALAR_NODE:
      {
        g_autofree char *text = g_strndup ((const char *) node->data.scalar.value, node->data.scalar.length);
        const char *tag = (const char *) node->tag;

        if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
            && (tag == NULL || strcmp (tag, YAML_DEFAULT_SCALAR_TAG) == 0))
          return plain_scalar (text);
        result = json_node_new (JSON_NODE_VALUE);
        json_node_set_string (result, text);
        return result;
      }
    case YAML_SEQUENCE_NODE:
      {
        JsonArray *array = json_array_new ();

        for (yaml_node_item_t *item = node->data.sequence.items.start; item < node->data.sequence.items.top; item++)
          {
            JsonNode *element = yaml_node_to_json (document, yaml_document_get_node (document, *item), depth + 1, error);

            if (element == NULL)
              {
                json_array_unref (array);
                return NULL;
              }
            json_array_add_element (array, element);
          }
        result = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (result, array);
        return result;
      }
    case YAML_MAPPING_NODE:
      {
        JsonObject *object = json_object_new ();

        for (yaml_node_pair_t *pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++)
          {
            yaml_node_t *key = yaml_document_get_node (document, pair->key);
            g_autofree char *name = NULL;
            JsonNode *value;

            if (key->type != YAML_SCALAR_NODE)
              {
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "line %lu: a mapping key that is not a scalar",
                             (unsigned long) key->start_mark.line + 1);
                json_object_unref (object);
                return NULL;
              }
            name = g_strndup ((const char *) key->data.scalar.value, key->data.scalar.length);
            if (json_object_has_member (object, name))
              {
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "line %lu: the key “%s” twice",
                             (unsigned long) key->start_mark.line + 1, name);
                json_object_unref (object);
                return NULL;
              }
            value = yaml_node_to_json (document, yaml_document_get_node (document, pair->value), depth + 1, error);
            if (value == NULL)
              {
                json_object_unref (object);
                return NULL;
              }
            json_object_set_member (object, name, value);
          }
        result = json_node_new (JSON_NODE_OBJECT);
        json_node_take_object (result, object);
        return result;
      }
    case YAML_NO_NODE:
    default:
      return json_node_new (JSON_NODE_NULL);
    }
}

JsonNode *
deca_yaml_to_json (const char  *data,
                   gssize       length,
                   GError     **error)
{
  yaml_parser_t parser;
  yaml_document_t document;
  yaml_node_t *root;
  JsonNode *result = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  if (length < 0)
    length = (gssize) strlen (data);
  if (!yaml_parser_initialize (&parser))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot make a YAML parser");
      return NULL;
    }
  yaml_parser_set_input_string (&parser, (const unsigned char *) data, (size_t) length);
  if (!yaml_parser_load (&parser, &document))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "line %lu, column %lu: %s",
                   (unsigned long) parser.problem_mark.line + 1, (unsigned long) parser.problem_mark.column + 1,
                   parser.problem != NULL ? parser.problem : "not YAML");
      yaml_parser_delete (&parser);
      return NULL;
    }
  root = yaml_document_get_root_node (&document);
  if (root == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no YAML document");
  else
    result = yaml_node_to_json (&document, root, 0, error);
  yaml_document_delete (&document);
  yaml_parser_delete (&parser);
  return result;
}

/* --- loading ------------------------------------------------------------------------ */

DecaOpenApi *
deca_openapi_new_from_data (const char  *data,
                            gssize       length,
                            GError     **error)
{
  g_autoptr(JsonNode) root = deca_yaml_to_json (data, length, error);
  DecaOpenApi *doc;

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the document is not a mapping");
      return NULL;
    }
  doc = g_new0 (DecaOpenApi, 1);
  doc->root = g_steal_pointer (&root);
  return doc;
}

DecaOpenApi *
deca_openapi_new_from_file (const char  *path,
                            GError     **error)
{
  g_autofree char *text = NULL;
  gsize length;

  if (!g_file_get_contents (path, &text, &length, error))
    return NULL;
  return deca_openapi_new_from_data (text, (gssize) length, error);
}

DecaOpenApi *
deca_openapi_new_builtin (GError **error)
{
  g_autoptr(GBytes) bytes = deca_api_openapi_get_document ();
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  return deca_openapi_new_from_data (data, (gssize) length, error);
}

void
deca_openapi_free (DecaOpenApi *doc)
{
  if (doc == NULL)
    return;
  json_node_unref (doc->root);
  g_free (doc);
}

JsonNode *
deca_openapi_get_root (DecaOpenApi *doc)
{
  g_return_val_if_fail (doc != NULL, NULL);
  return doc->root;
}

/* --- JSON helpers ------------------------------------------------------------------- */

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
boolean_member (JsonObject *object,
                const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN
         && json_node_get_boolean (node);
}

static gboolean
number_member (JsonObject *object,
               const char *name,
               double     *value)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *value = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *value = json_node_get_double (node);
  else
    return FALSE;
  return TRUE;
}

static char *
pointer_append (const char *pointer,
                const char *name)
{
  GString *out = g_string_new (pointer);

  g_string_append_c (out, '/');
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '~')
        g_string_append (out, "~0");
      else if (*p == '/')
        g_string_append (out, "~1");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* The node a local reference ("#/components/schemas/Flow") names, or NULL. */
static JsonNode *
resolve_pointer (DecaOpenApi *doc,
                 const char  *ref)
{
  g_auto(GStrv) parts = NULL;
  JsonNode *node = doc->root;

  if (ref == NULL || !g_str_has_prefix (ref, "#"))
    return NULL;
  if (ref[1] == '\0')
    return node;
  if (ref[1] != '/')
    return NULL;
  parts = g_strsplit (ref + 2, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *unescaped = g_uri_unescape_string (parts[i], NULL);
      g_autoptr(GString) name = g_string_new (NULL);

      if (unescaped == NULL)
        return NULL;
      for (const char *p = unescaped; *p != '\0'; p++)
        {
          if (p[0] == '~' && p[1] == '1')
            g_string_append_c (name, '/'), p++;
          else if (p[0] == '~' && p[1] == '0')
            g_string_append_c (name, '~'), p++;
          else
            g_string_append_c (name, *p);
        }
      if (JSON_NODE_HOLDS_OBJECT (node))
        node = json_object_get_member (json_node_get_object (node), name->str);
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          guint64 index;

          if (!g_ascii_string_to_unsigned (name->str, 10, 0, G_MAXUINT, &index, NULL)
              || index >= json_array_get_length (json_node_get_array (node)))
            return NULL;
          node = json_array_get_element (json_node_get_array (node), (guint) index);
        }
      else
        return NULL;
      if (node == NULL)
        return NULL;
    }
  return node;
}

/* @node with its $refs followed (a chain of them), or NULL when one does not resolve. */
static JsonNode *
deref (DecaOpenApi *doc,
       JsonNode    *node)
{
  for (guint i = 0; node != NULL && i < MAX_REF_DEPTH; i++)
    {
      const char *ref;

      if (!JSON_NODE_HOLDS_OBJECT (node) || (ref = string_member (json_node_get_object (node), "$ref")) == NULL)
        return node;
      node = resolve_pointer (doc, ref);
    }
  return NULL;
}

/* --- structure ---------------------------------------------------------------------- */

static const char * const http_methods[] = { "get", "put", "post", "delete", "options", "head", "patch", "trace", NULL };

static void
collect_refs (DecaOpenApi *doc,
              JsonNode    *node,
              const char  *pointer,
              GString     *problems)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      /* A closed schema that requires a member it does not list accepts nothing. */
      if (json_object_has_member (object, "required") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "required"))
          && json_object_has_member (object, "additionalProperties")
          && JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "additionalProperties"))
          && !boolean_member (object, "additionalProperties"))
        {
          JsonArray *required = json_object_get_array_member (object, "required");
          JsonObject *properties = object_member (object, "properties");

          for (guint i = 0; i < json_array_get_length (required); i++)
            {
              const char *field = json_array_get_string_element (required, i);

              if (field != NULL && (properties == NULL || !json_object_has_member (properties, field)))
                g_string_append_printf (problems, "%s: requires %s, which its properties do not have "
                                        "(additionalProperties: false)\n", pointer, field);
            }
        }
      if (json_object_has_member (object, "$ref"))
        {
          const char *ref = string_member (object, "$ref");

          if (ref == NULL || !g_str_has_prefix (ref, "#/"))
            g_string_append_printf (problems, "%s: $ref is not a local reference (#/...)\n", pointer);
          else if (deref (doc, node) == NULL)
            g_string_append_printf (problems, "%s: $ref %s does not resolve\n", pointer, ref);
        }
      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, &name, &member))
        {
          g_autofree char *child = pointer_append (pointer, name);

          /* Examples are data, whatever members they hold. */
          if (g_str_equal (name, "example") || g_str_equal (name, "examples"))
            continue;
          collect_refs (doc, member, child, problems);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *index = g_strdup_printf ("%u", i);
          g_autofree char *child = pointer_append (pointer, index);

          collect_refs (doc, json_array_get_element (array, i), child, problems);
        }
    }
}

/* The names of the {parameters} of @template. */
static GPtrArray *
template_params (const char *template)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) segments = g_strsplit (template, "/", -1);

  for (guint i = 0; segments[i] != NULL; i++)
    {
      gsize length = strlen (segments[i]);

      if (length > 2 && segments[i][0] == '{' && segments[i][length - 1] == '}')
        g_ptr_array_add (names, g_strndup (segments[i] + 1, length - 2));
    }
  return names;
}

/* Adds the path parameters of @parameters (an array, nullable) to @declared, and checks
 * each parameter has a name and a valid "in". */
static void
collect_parameters (DecaOpenApi *doc,
                    JsonNode    *parameters,
                    const char  *pointer,
                    GHashTable  *declared,
                    GString     *problems)
{
  JsonArray *array;

  if (parameters == NULL)
    return;
  if (!JSON_NODE_HOLDS_ARRAY (parameters))
    {
      g_string_append_printf (problems, "%s: parameters is not an array\n", pointer);
      return;
    }
  array = json_node_get_array (parameters);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = deref (doc, json_array_get_element (array, i));
      JsonObject *parameter = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *name = string_member (parameter, "name");
      const char *in = string_member (parameter, "in");
      const char *ins[] = { "path", "query", "header", "cookie", NULL };

      if (parameter == NULL)
        continue;   /* an unresolved $ref: reported with the refs */
      if (name == NULL || in == NULL || !g_strv_contains (ins, in))
        {
          g_string_append_printf (problems, "%s/%u: a parameter needs a name and in (path, query, header, cookie)\n",
                                  pointer, i);
          continue;
        }
      if (!json_object_has_member (parameter, "schema") && !json_object_has_member (parameter, "content"))
        g_string_append_printf (problems, "%s/%u: parameter %s has no schema\n", pointer, i, name);
      if (g_str_equal (in, "path"))
        {
          if (!boolean_member (parameter, "required"))
            g_string_append_printf (problems, "%s/%u: path parameter %s must be required: true\n", pointer, i, name);
          g_hash_table_add (declared, g_strdup (name));
        }
    }
}

static gboolean
is_status_key (const char *key)
{
  return g_str_equal (key, "default") || matches ("^[1-5]([0-9][0-9]|XX)$", key);
}

gboolean
deca_openapi_check_structure (DecaOpenApi  *doc,
                              GError      **error)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GHashTable) operation_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) tags = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObject *root = json_node_get_object (doc->root);
  JsonObject *info = object_member (root, "info");
  JsonObject *paths = object_member (root, "paths");
  JsonObject *schemes = object_member (object_member (root, "components"), "securitySchemes");
  const char *version = string_member (root, "openapi");
  JsonObjectIter path_iter;
  const char *template;
  JsonNode *path_node;
  JsonNode *tags_node = json_object_get_member (root, "tags");

  g_return_val_if_fail (doc != NULL, FALSE);

  if (version == NULL || !matches ("^3\\.0\\.[0-9]+$", version))
    g_string_append (problems, "/openapi: not 3.0.x\n");
  if (info == NULL || string_member (info, "title") == NULL || string_member (info, "version") == NULL)
    g_string_append (problems, "/info: needs a title and a version (strings)\n");
  if (paths == NULL)
    g_string_append (problems, "/paths: missing\n");
  if (tags_node != NULL && JSON_NODE_HOLDS_ARRAY (tags_node))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (tags_node)); i++)
      {
        const char *name = string_member (json_array_get_object_element (json_node_get_array (tags_node), i), "name");

        if (name != NULL)
          g_hash_table_add (tags, (gpointer) name);
      }

  collect_refs (doc, doc->root, "", problems);

  if (paths != NULL)
    {
      json_object_iter_init (&path_iter, paths);
      while (json_object_iter_next (&path_iter, &template, &path_node))
        {
          g_autofree char *path_pointer = pointer_append ("/paths", template);
          g_autoptr(GPtrArray) in_template = template_params (template);
          g_autoptr(GHashTable) path_declared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_autofree char *parameters_pointer = NULL;
          JsonObject *item;
          JsonObjectIter iter;
          const char *key;
          JsonNode *member;

          if (template[0] != '/' || strstr (template, "//") != NULL || strchr (template, '?') != NULL)
            g_string_append_printf (problems, "%s: a path template starts with / and has no empty segment or query\n",
                                    path_pointer);
          if (!JSON_NODE_HOLDS_OBJECT (path_node))
            {
              g_string_append_printf (problems, "%s: not an object\n", path_pointer);
              continue;
            }
          item = json_node_get_object (path_node);
          parameters_pointer = g_strconcat (path_pointer, "/parameters", NULL);
          collect_parameters (doc, json_object_get_member (item, "parameters"), parameters_pointer, path_declared,
                              problems);

          json_object_iter_init (&iter, item);
          while (json_object_iter_next (&iter, &key, &member))
            {
              g_autofree char *op_pointer = pointer_append (path_pointer, key);
              g_autoptr(GHashTable) declared = NULL;
              g_autofree char *op_parameters_pointer = NULL;
              JsonObject *operation, *responses;
              const char *operation_id;
              GHashTableIter declared_iter;
              gpointer name;
              JsonNode *op_tags, *security;

              if (g_str_equal (key, "parameters") || g_str_equal (key, "summary") || g_str_equal (key, "description")
                  || g_str_equal (key, "servers") || g_str_has_prefix (key, "x-"))
                continue;
              if (!g_strv_contains (http_methods, key))
                {
                  g_string_append_printf (problems, "%s: not a member of a path item\n", op_pointer);
                  continue;
                }
              if (!JSON_NODE_HOLDS_OBJECT (member))
                {
                  g_string_append_printf (problems, "%s: not an object\n", op_pointer);
                  continue;
                }
              operation = json_node_get_object (member);

              responses = object_member (operation, "responses");
              if (responses == NULL || json_object_get_size (responses) == 0)
                g_string_append_printf (problems, "%s: an operation needs responses\n", op_pointer);
              else
                {
                  JsonObjectIter response_iter;
                  const char *status;
                  JsonNode *response;

                  json_object_iter_init (&response_iter, responses);
                  while (json_object_iter_next (&response_iter, &status, &response))
                    {
                      JsonNode *resolved = deref (doc, response);

                      if (!is_status_key (status))
                        g_string_append_printf (problems, "%s/responses/%s: not a status code\n", op_pointer, status);
                      else if (resolved != NULL
                               && (!JSON_NODE_HOLDS_OBJECT (resolved)
                                   || string_member (json_node_get_object (resolved), "description") == NULL))
                        g_string_append_printf (problems, "%s/responses/%s: a response needs a description\n",
                                                op_pointer, status);
                    }
                }

              operation_id = string_member (operation, "operationId");
              if (operation_id == NULL)
                g_string_append_printf (problems, "%s: no operationId\n", op_pointer);
              else if (g_hash_table_contains (operation_ids, operation_id))
                g_string_append_printf (problems, "%s: operationId %s is %s's already\n", op_pointer, operation_id,
                                        (const char *) g_hash_table_lookup (operation_ids, operation_id));
              else
                g_hash_table_insert (operation_ids, g_strdup (operation_id), g_strdup (op_pointer));

              op_tags = json_object_get_member (operation, "tags");
              if (op_tags != NULL && JSON_NODE_HOLDS_ARRAY (op_tags))
                for (guint i = 0; i < json_array_get_length (json_node_get_array (op_tags)); i++)
                  {
                    const char *tag = json_array_get_string_element (json_node_get_array (op_tags), i);

                    if (tag == NULL || !g_hash_table_contains (tags, tag))
                      g_string_append_printf (problems, "%s/tags/%u: not a tag of /tags\n", op_pointer, i);
                  }

              security = json_object_get_member (operation, "security");
              if (security == NULL)
                security = json_object_get_member (root, "security");
              if (security != NULL && JSON_NODE_HOLDS_ARRAY (security))
                for (guint i = 0; i < json_array_get_length (json_node_get_array (security)); i++)
                  {
                    JsonObject *requirement = json_array_get_object_element (json_node_get_array (security), i);
                    GList *names = requirement != NULL ? json_object_get_members (requirement) : NULL;

                    for (GList *l = names; l != NULL; l = l->next)
                      if (schemes == NULL || !json_object_has_member (schemes, l->data))
                        g_string_append_printf (problems, "%s: security scheme %s is not in components\n", op_pointer,
                                                (const char *) l->data);
                    g_list_free (names);
                  }

              declared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
              g_hash_table_iter_init (&declared_iter, path_declared);
              while (g_hash_table_iter_next (&declared_iter, &name, NULL))
                g_hash_table_add (declared, g_strdup (name));
              op_parameters_pointer = g_strconcat (op_pointer, "/parameters", NULL);
              collect_parameters (doc, json_object_get_member (operation, "parameters"), op_parameters_pointer,
                                  declared, problems);
              for (guint i = 0; i < in_template->len; i++)
                if (!g_hash_table_contains (declared, g_ptr_array_index (in_template, i)))
                  g_string_append_printf (problems, "%s: path parameter %s is not declared\n", op_pointer,
                                          (const char *) g_ptr_array_index (in_template, i));
              g_hash_table_iter_init (&declared_iter, declared);
              while (g_hash_table_iter_next (&declared_iter, &name, NULL))
                {
                  gboolean found = FALSE;

                  for (guint i = 0; i < in_template->len && !found; i++)
                    found = g_str_equal (g_ptr_array_index (in_template, i), name);
                  if (!found)
                    g_string_append_printf (problems, "%s: path parameter %s is not in the template\n", op_pointer,
                                            (const char *) name);
                }
            }
        }
    }

  if (problems->len > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the OpenAPI document is not valid:\n%s", problems->str);
      return FALSE;
    }
  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
deca_openapi_list_operations (DecaOpenApi *doc)
{
  GPtrArray *operations = g_ptr_array_new_with_free_func (g_free);
  JsonObject *paths = object_member (json_node_get_object (doc->root), "paths");
  JsonObjectIter path_iter;
  const char *template;
  JsonNode *item;

  if (paths == NULL)
    return operations;
  json_object_iter_init (&path_iter, paths);
  while (json_object_iter_next (&path_iter, &template, &item))
    for (guint i = 0; JSON_NODE_HOLDS_OBJECT (item) && http_methods[i] != NULL; i++)
      if (json_object_has_member (json_node_get_object (item), http_methods[i]))
        {
          g_autofree char *method = g_ascii_strup (http_methods[i], -1);

          g_ptr_array_add (operations, g_strdup_printf ("%s %s", method, template));
        }
  g_ptr_array_sort (operations, compare_strings);
  return operations;
}

/* --- schemas ------------------------------------------------------------------------ */

typedef struct {
  DecaOpenApi *doc;
  GString *problem;   /* the first problem found */
} Validation;

static gboolean validate_node (Validation *v, JsonNode *schema_node, JsonNode *instance, const char *pointer,
                               guint depth);

static gboolean
fail (Validation *v,
      const char *pointer,
      const char *rule,
      const char *format,
      ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (Validation *v,
      const char *pointer,
      const char *rule,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_string_assign (v->problem, "");
  g_string_append_printf (v->problem, "at \"%s\": %s: %s", pointer, rule, message);
  return FALSE;
}

static const char *
json_type_name (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "array";
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return "boolean";
    case G_TYPE_INT64:
      return "integer";
    case G_TYPE_DOUBLE:
      return "number";
    default:
      return "string";
    }
}

/* A short text of @node for messages (values of the server's answers: never secrets). */
static char *
describe (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  if (strlen (text) > 60)
    return g_strdup_printf ("%.57s...", text);
  return g_steal_pointer (&text);
}

static gboolean
has_type (JsonNode   *instance,
          const char *type)
{
  const char *actual = json_type_name (instance);

  if (g_str_equal (type, "number"))
    return g_str_equal (actual, "number") || g_str_equal (actual, "integer");
  if (g_str_equal (type, "integer") && g_str_equal (actual, "number"))
    {
      double value = json_node_get_double (instance);

      return value == (double) (gint64) value;
    }
  return g_str_equal (type, actual);
}

static gboolean
check_format (const char *format,
              const char *text)
{
  if (g_str_equal (format, "date-time"))
    return matches ("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$",
                    text);
  if (g_str_equal (format, "date"))
    return matches ("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", text);
  return TRUE;   /* other formats are hints (uri, uuid, ...) */
}

static gboolean
validate_object (Validation *v,
                 JsonObject *schema,
                 JsonObject *instance,
                 const char *pointer,
                 guint       depth)
{
  JsonObject *properties = object_member (schema, "properties");
  JsonNode *required = json_object_get_member (schema, "required");
  JsonNode *additional = json_object_get_member (schema, "additionalProperties");
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  double limit;

  if (required != NULL && JSON_NODE_HOLDS_ARRAY (required))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (required)); i++)
      {
        const char *field = json_array_get_string_element (json_node_get_array (required), i);

        if (field != NULL && !json_object_has_member (instance, field))
          return fail (v, pointer, "required", "no member \"%s\"", field);
      }
  if (number_member (schema, "minProperties", &limit) && json_object_get_size (instance) < limit)
    return fail (v, pointer, "minProperties", "%u members, fewer than %g", json_object_get_size (instance), limit);
  if (number_member (schema, "maxProperties", &limit) && json_object_get_size (instance) > limit)
    return fail (v, pointer, "maxProperties", "%u members, more than %g", json_object_get_size (instance), limit);

  json_object_iter_init (&iter, instance);
  while (json_object_iter_next (&iter, &name, &member))
    {
      g_autofree char *child = pointer_append (pointer, name);
      JsonNode *property = properties != NULL ? json_object_get_member (properties, name) : NULL;

      if (property != NULL)
        {
          if (!validate_node (v, property, member, child, depth + 1))
            return FALSE;
        }
      else if (additional != NULL && JSON_NODE_HOLDS_VALUE (additional)
               && json_node_get_value_type (additional) == G_TYPE_BOOLEAN)
        {
          if (!json_node_get_boolean (additional))
            return fail (v, child, "additionalProperties", "member \"%s\" is not in the schema", name);
        }
      else if (additional != NULL && JSON_NODE_HOLDS_OBJECT (additional))
        {
          if (!validate_node (v, additional, member, child, depth + 1))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
validate_node (Validation *v,
               JsonNode   *schema_node,
               JsonNode   *instance,
               const char *pointer,
               guint       depth)
{
  JsonNode *resolved = deref (v->doc, schema_node);
  JsonObject *schema;
  const char *type, *format, *pattern;
  JsonNode *enum_node, *list;
  double limit;

  if (depth > MAX_REF_DEPTH * 4)
    return fail (v, pointer, "$ref", "the schema nests too deeply (a cycle?)");
  if (resolved == NULL)
    return fail (v, pointer, "$ref", "a reference that does not resolve");
  if (!JSON_NODE_HOLDS_OBJECT (resolved))
    return fail (v, pointer, "schema", "the schema is not an object");
  schema = json_node_get_object (resolved);
  type = string_member (schema, "type");

  if (JSON_NODE_HOLDS_NULL (instance))
    {
      if (boolean_member (schema, "nullable"))
        return TRUE;
      if (type != NULL)
        return fail (v, pointer, "nullable", "null, where the schema wants %s and is not nullable", type);
    }
  else if (type != NULL && !has_type (instance, type))
    {
      g_autofree char *text = describe (instance);

      return fail (v, pointer, "type", "%s is %s, not %s", text, json_type_name (instance), type);
    }

  enum_node = json_object_get_member (schema, "enum");
  if (enum_node != NULL && JSON_NODE_HOLDS_ARRAY (enum_node))
    {
      JsonArray *values = json_node_get_array (enum_node);
      gboolean found = FALSE;

      for (guint i = 0; i < json_array_get_length (values) && !found; i++)
        found = json_node_equal (json_array_get_element (values, i), instance);
      if (!found)
        {
          g_autofree char *text = describe (instance);

          return fail (v, pointer, "enum", "%s is not one of the values", text);
        }
    }

  if ((list = json_object_get_member (schema, "allOf")) != NULL && JSON_NODE_HOLDS_ARRAY (list))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
      if (!validate_node (v, json_array_get_element (json_node_get_array (list), i), instance, pointer, depth + 1))
        return FALSE;
  if ((list = json_object_get_member (schema, "anyOf")) != NULL && JSON_NODE_HOLDS_ARRAY (list))
    {
      gboolean any = FALSE;

      for (guint i = 0; i < json_array_get_length (json_node_get_array (list)) && !any; i++)
        any = validate_node (v, json_array_get_element (json_node_get_array (list), i), instance, pointer, depth + 1);
      if (!any)
        return fail (v, pointer, "anyOf", "matches none of the schemas");
    }
  if ((list = json_object_get_member (schema, "oneOf")) != NULL && JSON_NODE_HOLDS_ARRAY (list))
    {
      guint matched = 0;

      for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
        if (validate_node (v, json_array_get_element (json_node_get_array (list), i), instance, pointer, depth + 1))
          matched++;
      if (matched != 1)
        return fail (v, pointer, "oneOf", "matches %u of the schemas, not exactly one", matched);
    }
  if ((list = json_object_get_member (schema, "not")) != NULL && JSON_NODE_HOLDS_OBJECT (list)
      && validate_node (v, list, instance, pointer, depth + 1))
    return fail (v, pointer, "not", "matches the schema it must not");

  if (JSON_NODE_HOLDS_NULL (instance))
    return TRUE;

  if (JSON_NODE_HOLDS_OBJECT (instance))
    return validate_object (v, schema, json_node_get_object (instance), pointer, depth);

  if (JSON_NODE_HOLDS_ARRAY (instance))
    {
      JsonArray *array = json_node_get_array (instance);
      JsonNode *items = json_object_get_member (schema, "items");
      guint length = json_array_get_length (array);

      if (number_member (schema, "minItems", &limit) && length < limit)
        return fail (v, pointer, "minItems", "%u items, fewer than %g", length, limit);
      if (number_member (schema, "maxItems", &limit) && length > limit)
        return fail (v, pointer, "maxItems", "%u items, more than %g", length, limit);
      if (items != NULL)
        for (guint i = 0; i < length; i++)
          {
            g_autofree char *index = g_strdup_printf ("%u", i);
            g_autofree char *child = pointer_append (pointer, index);

            if (!validate_node (v, items, json_array_get_element (array, i), child, depth + 1))
              return FALSE;
          }
      return TRUE;
    }

  if (json_node_get_value_type (instance) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (instance);
      glong length = g_utf8_strlen (text, -1);

      if (number_member (schema, "minLength", &limit) && length < limit)
        return fail (v, pointer, "minLength", "%ld characters, fewer than %g", length, limit);
      if (number_member (schema, "maxLength", &limit) && length > limit)
        return fail (v, pointer, "maxLength", "%ld characters, more than %g", length, limit);
      format = string_member (schema, "format");
      if (format != NULL && !check_format (format, text))
        return fail (v, pointer, "format", "\"%s\" is not a %s", text, format);
      pattern = string_member (schema, "pattern");
      if (pattern != NULL)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, &error);

          if (regex == NULL)
            return fail (v, pointer, "pattern", "the schema's pattern is not a regular expression: %s", error->message);
          if (!g_regex_match (regex, text, 0, NULL))
            {
              g_autofree char *shown = describe (instance);

              return fail (v, pointer, "pattern", "%s does not match %s", shown, pattern);
            }
        }
      return TRUE;
    }

  if (json_node_get_value_type (instance) == G_TYPE_INT64 || json_node_get_value_type (instance) == G_TYPE_DOUBLE)
    {
      double value = json_node_get_value_type (instance) == G_TYPE_INT64 ? (double) json_node_get_int (instance)
                                                                           : json_node_get_double (instance);

      format = string_member (schema, "format");
      if (format != NULL && g_str_equal (format, "int32") && (value < G_MININT32 || value > G_MAXINT32))
        return fail (v, pointer, "format", "%g is not an int32", value);
      if (number_member (schema, "minimum", &limit)
          && (boolean_member (schema, "exclusiveMinimum") ? value <= limit : value < limit))
        return fail (v, pointer, "minimum", "%g is below %g", value, limit);
      if (number_member (schema, "maximum", &limit)
          && (boolean_member (schema, "exclusiveMaximum") ? value >= limit : value > limit))
        return fail (v, pointer, "maximum", "%g is above %g", value, limit);
    }
  return TRUE;
}

gboolean
deca_openapi_validate (DecaOpenApi  *doc,
                       JsonNode     *schema,
                       JsonNode     *instance,
                       const char   *pointer,
                       GError      **error)
{
  g_autoptr(GString) problem = g_string_new (NULL);
  Validation v = { doc, problem };

  g_return_val_if_fail (doc != NULL && schema != NULL && instance != NULL, FALSE);

  if (validate_node (&v, schema, instance, pointer != NULL ? pointer : "", 0))
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, problem->str);
  return FALSE;
}

/* --- responses ---------------------------------------------------------------------- */

/* How well @template matches @path, for the most specific match: a string of 'l'
 * (literal) and 'p' (parameter) per segment, compared as text ('l' < 'p'); NULL when it
 * does not match. */
static char *
match_template (const char *template,
                gboolean    rest,
                const char *path)
{
  g_auto(GStrv) want = g_strsplit (template, "/", -1);
  g_auto(GStrv) have = g_strsplit (path, "/", -1);
  guint n_want = g_strv_length (want), n_have = g_strv_length (have);
  GString *rank;

  if (rest ? n_have < n_want : n_have != n_want)
    return NULL;
  rank = g_string_new (NULL);
  for (guint i = 0; want[i] != NULL; i++)
    {
      gsize length = strlen (want[i]);

      if (rest && want[i + 1] == NULL)
        {
          /* The rest parameter: one or more whole segments. */
          gboolean empty = FALSE;

          for (guint j = i; have[j] != NULL; j++)
            empty = empty || have[j][0] == '\0';
          if (empty)
            break;
          g_string_append_c (rank, 'r');
        }
      else if (length > 2 && want[i][0] == '{' && want[i][length - 1] == '}')
        {
          if (have[i][0] == '\0')
            break;
          g_string_append_c (rank, 'p');
        }
      else if (g_str_equal (want[i], have[i]))
        g_string_append_c (rank, 'l');
      else
        break;
      if (want[i + 1] == NULL)
        return g_string_free (rank, FALSE);
    }
  g_string_free (rank, TRUE);
  return NULL;
}

/* Whether the last segment of @template is a path parameter of @item declared with
 * "x-deca-rest": true: it takes the rest of the path, slashes included (DecaRouter's
 * "{name*}", which OpenAPI has no way to say). */
static gboolean
template_has_rest (DecaOpenApi *doc,
                   const char  *template,
                   JsonObject  *item)
{
  const char *last = strrchr (template, '/');
  g_autofree char *name = NULL;
  JsonNode *parameters = item != NULL ? json_object_get_member (item, "parameters") : NULL;
  gsize length;

  if (last == NULL || parameters == NULL || !JSON_NODE_HOLDS_ARRAY (parameters))
    return FALSE;
  last++;
  length = strlen (last);
  if (length < 3 || last[0] != '{' || last[length - 1] != '}')
    return FALSE;
  name = g_strndup (last + 1, length - 2);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (parameters)); i++)
    {
      JsonNode *node = deref (doc, json_array_get_element (json_node_get_array (parameters), i));
      JsonObject *parameter = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (g_strcmp0 (string_member (parameter, "name"), name) == 0 && g_strcmp0 (string_member (parameter, "in"), "path") == 0)
        return boolean_member (parameter, "x-deca-rest");
    }
  return FALSE;
}

const char *
deca_openapi_match_path (DecaOpenApi *doc,
                         const char  *path)
{
  JsonObject *paths = object_member (json_node_get_object (doc->root), "paths");
  g_autofree char *bare_path = NULL;
  g_autofree char *best_rank = NULL;
  const char *best = NULL;
  JsonObjectIter iter;
  const char *template;
  JsonNode *node;

  g_return_val_if_fail (doc != NULL && path != NULL, NULL);

  if (paths == NULL)
    return NULL;
  bare_path = g_strndup (path, strcspn (path, "?#"));
  json_object_iter_init (&iter, paths);
  while (json_object_iter_next (&iter, &template, &node))
    {
      g_autofree char *rank = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      rank = match_template (template, template_has_rest (doc, template, json_node_get_object (node)), bare_path);
      if (rank != NULL && (best_rank == NULL || strcmp (rank, best_rank) < 0))
        {
          g_free (best_rank);
          best_rank = g_steal_pointer (&rank);
          best = template;
        }
    }
  return best;
}

/* Checks each event of the server-sent events @text: the JSON of its "data:" lines
 * against @schema. */
static gboolean
check_event_stream (DecaOpenApi  *doc,
                    JsonNode     *schema,
                    const char   *text,
                    gsize         length,
                    const char   *what,
                    GError      **error)
{
  g_autofree char *copy = g_strndup (text, length);
  g_auto(GStrv) blocks = NULL;
  guint n = 0;

  /* Events are separated by a blank line (the server writes \n line ends). */
  blocks = g_strsplit (copy, "\n\n", -1);
  for (guint i = 0; blocks[i] != NULL; i++)
    {
      g_auto(GStrv) lines = g_strsplit (blocks[i], "\n", -1);
      g_autoptr(GString) data = NULL;

      for (guint j = 0; lines[j] != NULL; j++)
        if (g_str_has_prefix (lines[j], "data:"))
          {
            const char *value = lines[j] + 5;

            if (*value == ' ')
              value++;
            if (data == NULL)
              data = g_string_new (value);
            else
              g_string_append_printf (data, "\n%s", value);
          }
      if (data != NULL)
        {
          g_autoptr(JsonNode) event = NULL;
          g_autoptr(GError) local_error = NULL;
          g_autofree char *pointer = g_strdup_printf ("(event %u)", n);

          n++;
          event = json_from_string (data->str, &local_error);
          if (event == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: event %u's data is not JSON: %s", what,
                           n - 1, local_error->message);
              return FALSE;
            }
          if (!deca_openapi_validate (doc, schema, event, pointer, &local_error))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: the data %s", what, local_error->message);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static gboolean
path_has_method (JsonObject *item,
                 const char *method)
{
  g_autofree char *lower = g_ascii_strdown (method, -1);

  return item != NULL && (json_object_has_member (item, lower)
                          || (g_str_equal (lower, "head") && json_object_has_member (item, "get")));
}

/* A 404 or 405 of the router: the error shape of the document (#/components/schemas/Error)
 * when it has one. */
static gboolean
check_router_answer (DecaOpenApi  *doc,
                     const char   *method,
                     const char   *path,
                     guint         status,
                     const char   *content_type,
                     JsonNode     *body,
                     GError      **error)
{
  JsonNode *schema = resolve_pointer (doc, "#/components/schemas/Error");
  g_autoptr(GError) local_error = NULL;

  if (g_ascii_strcasecmp (method, "HEAD") == 0 || schema == NULL)
    return TRUE;
  if (body == NULL || content_type == NULL || !g_str_has_prefix (content_type, "application/json"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s %u: the router's answer is not a JSON error",
                   method, path, status);
      return FALSE;
    }
  if (!deca_openapi_validate (doc, schema, body, "", &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s %u: the router's answer %s", method, path,
                   status, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_response_full (DecaOpenApi  *doc,
                     const char   *method,
                     const char   *path,
                     guint         status,
                     const char   *content_type,
                     JsonNode     *body,
                     const char   *text,
                     gsize         length,
                     GError      **error)
{
  JsonObject *paths = object_member (json_node_get_object (doc->root), "paths");
  g_autofree char *bare_path = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *status_key = NULL;
  g_autofree char *range_key = NULL;
  g_autofree char *media = NULL;
  const char *best = NULL;
  JsonObject *item = NULL, *operation, *responses, *response, *content;
  JsonNode *response_node;
  gboolean head;

  g_return_val_if_fail (doc != NULL && method != NULL && path != NULL, FALSE);

  bare_path = g_strndup (path, strcspn (path, "?#"));
  best = deca_openapi_match_path (doc, bare_path);
  if (best != NULL)
    item = object_member (paths, best);
  /* The router's own answers, which the document's description promises for every path:
   * 404 for a path it does not have, 405 for a method a path does not have. */
  if ((best == NULL && status == 404) || (best != NULL && status == 405 && !path_has_method (item, method)))
    return check_router_answer (doc, method, bare_path, status, content_type, body, error);
  if (best == NULL || item == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s: the document has no such path", method, bare_path);
      return FALSE;
    }

  /* The server answers HEAD with its GET route, without the body. */
  head = g_ascii_strcasecmp (method, "HEAD") == 0;
  lower = g_ascii_strdown (method, -1);
  operation = object_member (item, lower);
  if (operation == NULL && head)
    operation = object_member (item, "get");
  if (operation == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s: the document has no %s for %s", method, bare_path,
                   method, best);
      return FALSE;
    }

  responses = object_member (operation, "responses");
  status_key = g_strdup_printf ("%u", status);
  range_key = g_strdup_printf ("%uXX", status / 100);
  response_node = responses != NULL ? json_object_get_member (responses, status_key) : NULL;
  if (response_node == NULL && responses != NULL)
    response_node = json_object_get_member (responses, range_key);
  if (response_node == NULL && responses != NULL)
    response_node = json_object_get_member (responses, "default");
  if (response_node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s (%s %s): status %u is not documented", method,
                   bare_path, method, best, status);
      return FALSE;
    }
  response_node = deref (doc, response_node);
  if (response_node == NULL || !JSON_NODE_HOLDS_OBJECT (response_node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s: the response of %u does not resolve", method,
                   best, status);
      return FALSE;
    }
  response = json_node_get_object (response_node);
  content = object_member (response, "content");

  if (head)
    return TRUE;
  /* The media range of anything (star slash star) takes an empty body too: a webhook's
   * respond node decides. */
  if (content_type == NULL)
    {
      if (content != NULL && json_object_get_size (content) > 0 && !json_object_has_member (content, "*/*"))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s %u: an empty answer, where the document "
                       "says it has a body", method, best, status);
          return FALSE;
        }
      return TRUE;
    }
  media = g_ascii_strdown (content_type, strcspn (content_type, ";"));
  g_strstrip (media);
  if (content != NULL && !json_object_has_member (content, media))
    {
      g_autofree char *range = g_strdup_printf ("%.*s/*", (int) strcspn (media, "/"), media);

      if (json_object_has_member (content, range))
        {
          g_free (media);
          media = g_steal_pointer (&range);
        }
      else if (json_object_has_member (content, "*/*"))
        {
          g_free (media);
          media = g_strdup ("*/*");
        }
    }
  if (content == NULL || !json_object_has_member (content, media))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s %u: %s is not a content type of the answer "
                   "in the document", method, best, status, media);
      return FALSE;
    }
  if (g_str_equal (media, "application/json") || g_str_has_suffix (media, "+json"))
    {
      JsonNode *schema = json_object_get_member (object_member (content, media), "schema");
      g_autoptr(GError) local_error = NULL;

      if (body == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s %u: %s without a JSON body", method, best,
                       status, media);
          return FALSE;
        }
      if (schema != NULL && !deca_openapi_validate (doc, schema, body, "", &local_error))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s %u: the body %s", method, best, status,
                       local_error->message);
          return FALSE;
        }
    }
  else if (g_str_equal (media, "text/event-stream") && text != NULL)
    {
      /* The events' data, as the document's extension describes it. */
      JsonNode *schema = json_object_get_member (object_member (content, media), "x-deca-event-data");
      g_autofree char *what = g_strdup_printf ("%s %s %u", method, best, status);

      if (schema != NULL && !check_event_stream (doc, schema, text, length, what, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
deca_openapi_check_response (DecaOpenApi  *doc,
                             const char   *method,
                             const char   *path,
                             guint         status,
                             const char   *content_type,
                             JsonNode     *body,
                             GError      **error)
{
  return check_response_full (doc, method, path, status, content_type, body, NULL, 0, error);
}

gboolean
deca_openapi_check_request (DecaOpenApi  *doc,
                            const char   *method,
                            const char   *path,
                            JsonNode     *body,
                            GError      **error)
{
  JsonObject *paths = object_member (json_node_get_object (doc->root), "paths");
  const char *template = deca_openapi_match_path (doc, path);
  g_autofree char *lower = g_ascii_strdown (method, -1);
  JsonObject *operation = template != NULL ? object_member (object_member (paths, template), lower) : NULL;
  JsonNode *request_body;
  JsonObject *content;
  JsonNode *schema;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (doc != NULL && method != NULL && path != NULL, FALSE);

  if (operation == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s: not an operation of the document", method, path);
      return FALSE;
    }
  request_body = deref (doc, json_object_get_member (operation, "requestBody"));
  if (request_body == NULL || !JSON_NODE_HOLDS_OBJECT (request_body))
    {
      if (body == NULL)
        return TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s: a body, where the document has none", method,
                   template);
      return FALSE;
    }
  if (body == NULL)
    {
      if (!boolean_member (json_node_get_object (request_body), "required"))
        return TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s: no body, where the document requires one",
                   method, template);
      return FALSE;
    }
  content = object_member (json_node_get_object (request_body), "content");
  schema = json_object_get_member (object_member (content, "application/json"), "schema");
  if (schema == NULL)
    schema = json_object_get_member (object_member (content, "*/*"), "schema");
  if (schema == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s: the document takes no JSON body", method,
                   template);
      return FALSE;
    }
  if (!deca_openapi_validate (doc, schema, body, "", &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s %s: the request body %s", method, template,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
deca_openapi_check_message (DecaOpenApi  *doc,
                            SoupMessage  *message,
                            GBytes       *body,
                            GError      **error)
{
  const char *content_type = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                           "Content-Type");
  g_autoptr(JsonNode) json = NULL;
  gsize length = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &length) : NULL;

  g_return_val_if_fail (doc != NULL && SOUP_IS_MESSAGE (message), FALSE);

  if (length == 0)
    content_type = NULL;
  else if (content_type != NULL
           && (g_str_has_prefix (content_type, "application/json")
               || strstr (content_type, "+json") != NULL))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (!json_parser_load_from_data (parser, data, (gssize) length, error))
        return FALSE;
      json = json_node_ref (json_parser_get_root (parser));
    }
  return check_response_full (doc, soup_message_get_method (message), g_uri_get_path (soup_message_get_uri (message)),
                              soup_message_get_status (message), content_type, json, data, length, error);
}

void
deca_openapi_assert_message (SoupMessage *message,
                             GBytes      *body)
{
  static gsize loaded = 0;
  static DecaOpenApi *builtin = NULL;
  g_autoptr(GError) error = NULL;

  if (g_once_init_enter (&loaded))
    {
      builtin = deca_openapi_new_builtin (&error);
      g_assert_no_error (error);
      g_once_init_leave (&loaded, 1);
    }
  if (!deca_openapi_check_message (builtin, message, body, &error))
    {
      g_autofree char *text = g_strdup_printf ("the answer does not match the OpenAPI document: %s", error->message);

      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, text);
    }
}
