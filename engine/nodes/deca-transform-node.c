/* The "transform" node: reshapes data (copy, remove, rename, set fields, or map a list). */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "deca-transform-node.h"
#include "deca-validator.h"

struct _DecaTransformNode
{
  DecaNodeBase parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaTransformNode, deca_transform_node, DECA_TYPE_NODE_BASE)

static const DecaNodeInfo transform_info = {
  .name = "transform",
  .title = N_("Transform"),
  .description = N_("Reshapes data: starts from a source value and removes, renames and sets "
                    "fields, or builds a new list from each element of an array."),
  .category = "core",
  .kind = DECA_NODE_KIND_ACTION,
  .replayable = TRUE,
  .schema =
    "{"
    "  \"type\": \"object\","
    "  \"title\": \"Transform\","
    "  \"description\": \"Either source/remove/rename/set (applied in that order) or map "
    "alone.\","
    "  \"properties\": {"
    "    \"source\": {"
    "      \"title\": \"Source\","
    "      \"description\": \"The starting value, usually a template such as {{fetch.body}}; "
    "it is copied, never changed in place.\","
    "      \"default\": {}"
    "    },"
    "    \"remove\": {"
    "      \"type\": \"array\","
    "      \"items\": { \"type\": \"string\", \"minLength\": 1 },"
    "      \"default\": [],"
    "      \"title\": \"Remove fields\","
    "      \"description\": \"Fields to delete; dotted names reach into nested objects "
    "(customer.ssn). Missing fields are ignored.\""
    "    },"
    "    \"rename\": {"
    "      \"type\": \"object\","
    "      \"additionalProperties\": { \"type\": \"string\", \"minLength\": 1 },"
    "      \"default\": {},"
    "      \"title\": \"Rename fields\","
    "      \"description\": \"Old field name to new field name; dotted names allowed on both "
    "sides. Missing fields are ignored; an existing target is replaced.\""
    "    },"
    "    \"set\": {"
    "      \"type\": \"object\","
    "      \"default\": {},"
    "      \"title\": \"Set fields\","
    "      \"description\": \"Field name to value (any JSON value or a template). Dotted "
    "names create nested objects: customer.name.\""
    "    },"
    "    \"map\": {"
    "      \"type\": \"object\","
    "      \"format\": \"template-raw\","
    "      \"title\": \"Map\","
    "      \"description\": \"Builds an array with one element per item of 'items'; cannot "
    "be combined with the other fields.\","
    "      \"properties\": {"
    "        \"items\": {"
    "          \"type\": \"string\","
    "          \"format\": \"expression\","
    "          \"minLength\": 1,"
    "          \"title\": \"Items\","
    "          \"description\": \"An expression that evaluates to an array, for example "
    "{{fetch.body.orders}}.\""
    "        },"
    "        \"as\": {"
    "          \"format\": \"template-raw\","
    "          \"title\": \"Element\","
    "          \"description\": \"The shape of each output element: an object whose string "
    "values are templates ({\\\"id\\\": \\\"{{item.id}}\\\", \\\"n\\\": \\\"{{index}}\\\"}), "
    "or a single template. item is the current element, index its position. Omitted: "
    "the items themselves.\","
    "          \"anyOf\": ["
    "            { \"type\": \"object\" },"
    "            { \"type\": \"array\" },"
    "            { \"type\": \"string\" }"
    "          ]"
    "        }"
    "      },"
    "      \"required\": [\"items\"],"
    "      \"additionalProperties\": false"
    "    }"
    "  },"
    "  \"additionalProperties\": false"
    "}",
};

static const char * const field_ops[] = { "source", "remove", "rename", "set", NULL };

/* Splits a dotted field name. Returns NULL with an error naming @where when a segment is
 * empty ("a..b", ".a", "a."). */
static GStrv
split_field (const char  *field,
             const char  *where,
             GError     **error)
{
  g_auto(GStrv) segments = g_strsplit (field, ".", -1);

  for (guint i = 0; segments[i] != NULL; i++)
    if (segments[i][0] == '\0')
      {
        g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                     _("'%s': '%s' has an empty field name"), where, field);
        return NULL;
      }
  return g_steal_pointer (&segments);
}

/*
 * Walks @root along all segments but the last. With @create, missing objects on the way
 * are created; otherwise a missing one yields NULL without an error. A segment that exists
 * but is not an object fails, naming @where and the segment.
 */
static JsonObject *
find_parent (JsonObject  *root,
             GStrv        segments,
             gboolean     create,
             const char  *where,
             GError     **error)
{
  JsonObject *object = root;
  guint n = g_strv_length (segments);

  for (guint i = 0; i + 1 < n; i++)
    {
      JsonNode *child = json_object_get_member (object, segments[i]);

      if (child == NULL || (create && JSON_NODE_HOLDS_NULL (child)))
        {
          g_autoptr(JsonObject) created = NULL;

          if (!create)
            return NULL;
          created = json_object_new ();
          json_object_set_object_member (object, segments[i], json_object_ref (created));
          object = created;
          continue;
        }
      if (!JSON_NODE_HOLDS_OBJECT (child))
        {
          if (!create)
            return NULL;
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                       _("'%s': '%s' is %s, not an object"), where, segments[i],
                       deca_json_type_name (child));
          return NULL;
        }
      object = json_node_get_object (child);
    }
  return object;
}

static gboolean
apply_remove (JsonObject  *root,
              JsonArray   *fields,
              GError     **error)
{
  guint length = json_array_get_length (fields);

  for (guint i = 0; i < length; i++)
    {
      JsonNode *field = json_array_get_element (fields, i);
      g_autofree char *where = g_strdup_printf ("remove[%u]", i);
      g_auto(GStrv) segments = NULL;
      JsonObject *parent;

      if (!JSON_NODE_HOLDS_VALUE (field) || json_node_get_value_type (field) != G_TYPE_STRING)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                       _("'%s' must be a field name, got %s"), where, deca_json_type_name (field));
          return FALSE;
        }
      segments = split_field (json_node_get_string (field), where, error);
      if (segments == NULL)
        return FALSE;
      parent = find_parent (root, segments, FALSE, where, error);
      if (parent != NULL)
        json_object_remove_member (parent, segments[g_strv_length (segments) - 1]);
    }
  return TRUE;
}

/* Stores @value (transfer full) at the dotted @field of @root. */
static gboolean
set_field (JsonObject  *root,
           const char  *field,
           JsonNode    *value,
           const char  *where,
           GError     **error)
{
  g_autoptr(JsonNode) owned = value;
  g_auto(GStrv) segments = split_field (field, where, error);
  JsonObject *parent;

  if (segments == NULL)
    return FALSE;
  parent = find_parent (root, segments, TRUE, where, error);
  if (parent == NULL)
    return FALSE;
  json_object_set_member (parent, segments[g_strv_length (segments) - 1],
                          g_steal_pointer (&owned));
  return TRUE;
}

static gboolean
apply_rename (JsonObject  *root,
              JsonObject  *renames,
              GError     **error)
{
  g_auto(DecaJsonIter) iter = { 0 };
  const char *from;
  JsonNode *to;

  _deca_json_iter_init (&iter, renames);
  while (_deca_json_iter_next (&iter, &from, &to))
    {
      g_autofree char *where = g_strdup_printf ("rename.%s", from);
      g_auto(GStrv) segments = NULL;
      g_autoptr(JsonNode) moved = NULL;
      JsonObject *parent;
      const char *last;

      if (!JSON_NODE_HOLDS_VALUE (to) || json_node_get_value_type (to) != G_TYPE_STRING)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                       _("'%s' must be the new field name, got %s"), where,
                       deca_json_type_name (to));
          return FALSE;
        }
      segments = split_field (from, where, error);
      if (segments == NULL)
        return FALSE;
      parent = find_parent (root, segments, FALSE, where, error);
      last = segments[g_strv_length (segments) - 1];
      if (parent == NULL || !json_object_has_member (parent, last))
        continue;

      moved = json_node_ref (json_object_get_member (parent, last));
      json_object_remove_member (parent, last);
      if (!set_field (root, json_node_get_string (to), g_steal_pointer (&moved), where, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
apply_set (JsonObject  *root,
           JsonObject  *sets,
           GError     **error)
{
  g_auto(DecaJsonIter) iter = { 0 };
  const char *field;
  JsonNode *value;

  _deca_json_iter_init (&iter, sets);
  while (_deca_json_iter_next (&iter, &field, &value))
    {
      g_autofree char *where = NULL;

      /* The common case, a plain field name, needs no splitting and no error context. */
      if (field[0] != '\0' && strchr (field, '.') == NULL)
        {
          json_object_set_member (root, field, deca_json_deep_copy (value));
          continue;
        }
      where = g_strdup_printf ("set.%s", field);
      if (!set_field (root, field, deca_json_deep_copy (value), where, error))
        return FALSE;
    }
  return TRUE;
}

/* The scope of one map element: "item" and "index" on top of the node's scope. */
typedef struct {
  const DecaExprScope *base;
  JsonNode            *item;
  JsonNode            *index;
} ItemScope;

static JsonNode *
item_scope_resolve (const char *name,
                    gpointer    user_data)
{
  ItemScope *scope = user_data;

  if (g_str_equal (name, "item"))
    return scope->item;
  if (g_str_equal (name, "index"))
    return scope->index;
  return scope->base->resolve != NULL ? scope->base->resolve (name, scope->base->user_data)
                                      : NULL;
}

/* Parses every string inside @shape once, before the first element, so a syntax error is
 * reported once and no template is parsed per element. @templates maps string nodes of
 * @shape to their DecaTemplate. */
static gboolean
compile_shape (JsonNode    *shape,
               GString     *where,
               GHashTable  *templates,
               GError     **error)
{
  gsize len = where->len;

  if (JSON_NODE_HOLDS_OBJECT (shape))
    {
      g_auto(DecaJsonIter) iter = { 0 };
      const char *name;
      JsonNode *member;

      _deca_json_iter_init (&iter, json_node_get_object (shape));
      while (_deca_json_iter_next (&iter, &name, &member))
        {
          g_string_append_printf (where, ".%s", name);
          if (!compile_shape (member, where, templates, error))
            return FALSE;
          g_string_truncate (where, len);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (shape))
    {
      JsonArray *array = json_node_get_array (shape);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_string_append_printf (where, "[%u]", i);
          if (!compile_shape (json_array_get_element (array, i), where, templates, error))
            return FALSE;
          g_string_truncate (where, len);
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (shape) && json_node_get_value_type (shape) == G_TYPE_STRING)
    {
      DecaTemplate *tmpl = deca_template_parse (json_node_get_string (shape), NULL, error);

      if (tmpl == NULL)
        {
          g_prefix_error (error, "'%s': ", where->str);
          return FALSE;
        }
      g_hash_table_insert (templates, shape, tmpl);
    }
  return TRUE;
}

/* Builds one element from @shape in @scope. Returns (transfer full) or NULL with @error. */
static JsonNode *
render_shape (JsonNode             *shape,
              GHashTable           *templates,
              const DecaExprScope  *scope,
              GString              *where,
              GError              **error)
{
  gsize len = where->len;
  DecaTemplate *tmpl;

  if (JSON_NODE_HOLDS_OBJECT (shape))
    {
      g_autoptr(JsonObject) result = json_object_new ();
      g_auto(DecaJsonIter) iter = { 0 };
      const char *name;
      JsonNode *member;

      _deca_json_iter_init (&iter, json_node_get_object (shape));
      while (_deca_json_iter_next (&iter, &name, &member))
        {
          JsonNode *value;

          g_string_append_printf (where, ".%s", name);
          value = render_shape (member, templates, scope, where, error);
          if (value == NULL)
            return NULL;
          json_object_set_member (result, name, value);
          g_string_truncate (where, len);
        }
      return _deca_json_object_node (result);
    }

  if (JSON_NODE_HOLDS_ARRAY (shape))
    {
      JsonArray *array = json_node_get_array (shape);
      g_autoptr(JsonArray) result = json_array_new ();

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *value;

          g_string_append_printf (where, "[%u]", i);
          value = render_shape (json_array_get_element (array, i), templates, scope, where,
                                error);
          if (value == NULL)
            return NULL;
          json_array_add_element (result, value);
          g_string_truncate (where, len);
        }
      return json_node_init_array (json_node_alloc (), result);
    }

  tmpl = g_hash_table_lookup (templates, shape);
  if (tmpl != NULL)
    {
      JsonNode *value = deca_template_render (tmpl, scope, error);

      if (value == NULL)
        g_prefix_error (error, "'%s': ", where->str);
      return value;
    }
  return json_node_copy (shape);
}

/* map: evaluates "items" and builds one element per item from "as". */
static JsonNode *
run_map (DecaNodeInvocation  *invocation,
         JsonObject          *map,
         GError             **error)
{
  g_autoptr(GHashTable) templates = NULL;
  g_autoptr(GString) where = g_string_new ("map.as");
  g_autoptr(JsonNode) items = NULL;
  g_autoptr(JsonArray) result = NULL;
  const char *expression;
  JsonArray *array;
  JsonNode *shape;
  guint length;

  if (!_deca_node_config_get_string (map, "items", NULL, &expression, error))
    {
      g_prefix_error (error, "map: ");
      return NULL;
    }
  if (expression == NULL)
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                   _("'map.items' is required"));
      return NULL;
    }
  items = deca_node_invocation_evaluate (invocation, expression, error);
  if (items == NULL)
    {
      g_prefix_error (error, "'map.items': ");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_ARRAY (items))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                   _("'map.items' must evaluate to an array, got %s"), deca_json_type_name (items));
      return NULL;
    }
  array = json_node_get_array (items);
  length = json_array_get_length (array);

  shape = json_object_get_member (map, "as");
  if (shape == NULL || JSON_NODE_HOLDS_NULL (shape))
    return deca_json_deep_copy (items);

  templates = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) deca_template_unref);
  if (!compile_shape (shape, where, templates, error))
    return NULL;

  result = json_array_sized_new (length);
  for (guint i = 0; i < length; i++)
    {
      g_autoptr(JsonNode) index = json_node_new (JSON_NODE_VALUE);
      ItemScope item_scope;
      DecaExprScope scope;
      JsonNode *element;

      json_node_set_int (index, i);
      item_scope.base = deca_node_invocation_get_scope (invocation);
      item_scope.item = json_array_get_element (array, i);
      item_scope.index = index;
      scope.resolve = item_scope_resolve;
      scope.user_data = &item_scope;
      scope.now_us = item_scope.base->now_us;

      g_string_printf (where, "map.as (item %u)", i);
      element = render_shape (shape, templates, &scope, where, error);
      if (element == NULL)
        return NULL;
      json_array_add_element (result, element);
    }
  return json_node_init_array (json_node_alloc (), result);
}

/* source → remove → rename → set on a deep copy of the source. */
static JsonNode *
run_fields (JsonObject  *config,
            GError     **error)
{
  g_autoptr(JsonNode) value = NULL;
  JsonArray *remove;
  JsonObject *rename, *set;
  JsonNode *source;

  if (!_deca_node_config_get_array (config, "remove", &remove, error)
      || !_deca_node_config_get_object (config, "rename", &rename, error)
      || !_deca_node_config_get_object (config, "set", &set, error))
    return NULL;

  source = json_object_get_member (config, "source");
  if (source != NULL)
    value = deca_json_deep_copy (source);
  else
    {
      g_autoptr(JsonObject) empty = json_object_new ();

      value = _deca_json_object_node (empty);
    }

  if (remove == NULL && rename == NULL && set == NULL)
    return g_steal_pointer (&value);

  if (!JSON_NODE_HOLDS_OBJECT (value))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NODE_FAILED,
                   _("'source' must be an object to remove, rename or set fields, got %s"),
                   deca_json_type_name (value));
      return NULL;
    }

  if ((remove != NULL && !apply_remove (json_node_get_object (value), remove, error))
      || (rename != NULL && !apply_rename (json_node_get_object (value), rename, error))
      || (set != NULL && !apply_set (json_node_get_object (value), set, error)))
    return NULL;
  return g_steal_pointer (&value);
}

/* Returns the reshaped value. Errors name the config field that caused them
 * ("'set.customer.name': 'customer' is string, not an object"). */
static void
deca_transform_node_invoke (DecaNodeBase       *base,
                            DecaNodeInvocation *invocation)
{
  JsonObject *config = deca_node_invocation_get_config (invocation);
  g_autoptr(GError) error = NULL;
  JsonObject *map;
  JsonNode *result;

  if (!_deca_node_config_get_object (config, "map", &map, &error))
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }

  if (map != NULL)
    {
      for (guint i = 0; field_ops[i] != NULL; i++)
        if (json_object_has_member (config, field_ops[i]))
          {
            _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED,
                                         _("'map' cannot be combined with '%s'"), field_ops[i]);
            return;
          }
      result = run_map (invocation, map, &error);
    }
  else
    result = run_fields (config, &error);

  if (result == NULL)
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }
  _deca_node_return_output (invocation, result, NULL);
}

/* Reports "map" combined with the field operations, and malformed dotted names. */
static void
deca_transform_node_check_config (DecaNodeBase *base,
                                  JsonObject   *config,
                                  GPtrArray    *problems)
{
  JsonNode *node;

  if (json_object_has_member (config, "map"))
    for (guint i = 0; field_ops[i] != NULL; i++)
      if (json_object_has_member (config, field_ops[i]))
        {
          g_autofree char *pointer = g_strconcat ("/", field_ops[i], NULL);

          _deca_node_add_problem (problems, pointer,
                                  _("'%s' cannot be combined with 'map': use one or the other"),
                                  field_ops[i]);
        }

  node = json_object_get_member (config, "set");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      g_auto(DecaJsonIter) iter = { 0 };
      const char *field;
      JsonNode *value;

      _deca_json_iter_init (&iter, json_node_get_object (node));
      while (_deca_json_iter_next (&iter, &field, &value))
        {
          g_autoptr(GError) error = NULL;
          g_auto(GStrv) segments = split_field (field, "set", &error);

          if (segments == NULL)
            {
              g_autoptr(GString) pointer = g_string_new ("/set");

              deca_json_pointer_append (pointer, field);
              _deca_node_add_problem (problems, pointer->str, _("'%s' has an empty field name"),
                                      field);
            }
        }
    }
}

static void
deca_transform_node_class_init (DecaTransformNodeClass *klass)
{
  DecaNodeBaseClass *base_class = DECA_NODE_BASE_CLASS (klass);

  base_class->invoke = deca_transform_node_invoke;
  base_class->check_config = deca_transform_node_check_config;
}

static void
deca_transform_node_init (DecaTransformNode *self)
{
  _deca_node_base_set_info (DECA_NODE_BASE (self), &transform_info);
}

DecaNodeType *
deca_transform_node_new (void)
{
  return g_object_new (DECA_TYPE_TRANSFORM_NODE, NULL);
}
