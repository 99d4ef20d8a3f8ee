/* deca-schema.c: the JSON Schema subset node configs are described in.
 *
 * Supported keywords (docs/flow-format.md): type, properties, required,
 * additionalProperties, items, enum, const, minimum, maximum, exclusiveMinimum,
 * exclusiveMaximum, minLength, maxLength, minItems, maxItems, pattern, anyOf, oneOf; default,
 * description, title and format are annotations. Anything else in a schema is ignored, so a
 * schema written for a full validator still works here, only less strictly.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-validator.h"
#include "deca-json.h"

#include <math.h>
#include <string.h>

typedef struct {
  GPtrArray *problems;
  DecaSchemaCheckFlags flags;
  GString *pointer;   /* where the instance being checked sits */
} SchemaCheck;

static void schema_check (SchemaCheck *sc,
                          JsonNode    *schema,
                          JsonNode    *instance);

/*
 * deca_json_pointer_append:
 * Appends "/" and @token to @pointer, escaping "~" as "~0" and "/" as "~1" (RFC 6901).
 */
void
deca_json_pointer_append (GString    *pointer,
                          const char *token)
{
  g_return_if_fail (pointer != NULL);
  g_return_if_fail (token != NULL);

  g_string_append_c (pointer, '/');
  for (const char *p = token; *p != '\0'; p++)
    {
      if (*p == '~')
        g_string_append (pointer, "~0");
      else if (*p == '/')
        g_string_append (pointer, "~1");
      else
        g_string_append_c (pointer, *p);
    }
}

static void
schema_problem (SchemaCheck *sc,
                const char  *format,
                ...) G_GNUC_PRINTF (2, 3);

static void
schema_problem (SchemaCheck *sc,
                const char  *format,
                ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (sc->problems, deca_validation_problem_new (sc->pointer->str, "%s", message));
}

static gboolean
json_is_number (JsonNode *node)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static gboolean
json_is_integer (JsonNode *node)
{
  double value;

  if (!json_is_number (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return TRUE;
  /* JSON Schema counts 2.0 as an integer. */
  value = json_node_get_double (node);
  return isfinite (value) && floor (value) == value;
}

static gboolean
json_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
type_matches (const char *type,
              JsonNode   *instance)
{
  if (g_str_equal (type, "integer"))
    return json_is_integer (instance);
  if (g_str_equal (type, "number"))
    return json_is_number (instance);
  return g_str_equal (type, deca_json_type_name (instance));
}

static const char *
type_with_article (const char *type)
{
  if (g_str_equal (type, "object"))
    return _("an object");
  if (g_str_equal (type, "array"))
    return _("an array");
  if (g_str_equal (type, "integer"))
    return _("an integer");
  if (g_str_equal (type, "null"))
    return "null";
  if (g_str_equal (type, "string"))
    return _("a string");
  if (g_str_equal (type, "number"))
    return _("a number");
  if (g_str_equal (type, "boolean"))
    return _("a boolean");
  return type;
}

/* "a string", "a string or null", "a string, a number or null". The names come
 * translated from type_with_article(). */
static void
append_alternatives (GString    *out,
                     GPtrArray  *names)
{
  for (guint i = 0; i < names->len; i++)
    {
      if (i > 0)
        /* Translators: the separators of a list of types, "a string, a number or null" */
        g_string_append (out, i + 1 == names->len ? _(" or ") : _(", "));
      g_string_append (out, names->pdata[i]);
    }
}

/* A value as a person reads it in a message: strings bare, the rest as compact JSON. */
static char *
value_to_display (JsonNode *node)
{
  if (json_is_string (node))
    return g_strdup (json_node_get_string (node));
  return deca_json_to_string (node, FALSE);
}

static char *
number_to_display (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isfinite (value) && floor (value) == value && fabs (value) < 1e15)
    return g_strdup_printf ("%.0f", value);
  return g_strdup (g_ascii_dtostr (buf, sizeof buf, value));
}

static JsonNode *
schema_member (JsonObject *schema,
               const char *name)
{
  return json_object_get_member (schema, name);
}

/* Reads a numeric keyword; FALSE when absent or not a number (a broken schema is not the
 * document's fault, so it is ignored rather than reported). */
static gboolean
schema_get_number (JsonObject *schema,
                   const char *name,
                   double     *value)
{
  JsonNode *node = schema_member (schema, name);

  if (node == NULL || !json_is_number (node))
    return FALSE;
  *value = json_node_get_double (node);
  return TRUE;
}

/* Returns (transfer none) the compiled @pattern, cached for the life of the process since
 * schemas are few and long-lived. NULL with @error when the pattern does not compile. */
static GRegex *
pattern_lookup (const char  *pattern,
                GError     **error)
{
  static GMutex lock;
  static GHashTable *cache;
  GRegex *regex;

  g_mutex_lock (&lock);
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) g_regex_unref);
  regex = g_hash_table_lookup (cache, pattern);
  if (regex == NULL)
    {
      regex = g_regex_new (pattern, 0, 0, error);
      if (regex != NULL)
        g_hash_table_insert (cache, g_strdup (pattern), regex);
    }
  g_mutex_unlock (&lock);
  return regex;
}

/* Checks "type". Returns FALSE (after reporting) when the instance has the wrong type, so
 * that the caller skips keywords that only make sense for the right one. */
static gboolean
check_type (SchemaCheck *sc,
            JsonObject  *schema,
            JsonNode    *instance)
{
  JsonNode *type = schema_member (schema, "type");
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GString) message = NULL;
  gboolean integer_wanted = FALSE;

  if (type == NULL)
    return TRUE;

  if (json_is_string (type))
    {
      g_ptr_array_add (names, (gpointer) json_node_get_string (type));
    }
  else if (JSON_NODE_HOLDS_ARRAY (type))
    {
      JsonArray *array = json_node_get_array (type);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (json_is_string (element))
            g_ptr_array_add (names, (gpointer) json_node_get_string (element));
        }
    }

  if (names->len == 0)
    return TRUE;
  for (guint i = 0; i < names->len; i++)
    {
      if (type_matches (names->pdata[i], instance))
        return TRUE;
    }

  for (guint i = 0; i < names->len; i++)
    {
      integer_wanted |= g_str_equal (names->pdata[i], "integer");
      names->pdata[i] = (gpointer) type_with_article (names->pdata[i]);
    }
  message = g_string_new (NULL);
  append_alternatives (message, names);
  /* "must be an integer, not a number" would read oddly for 1.5; say what is wrong. */
  if (json_is_number (instance) && !json_is_integer (instance) && integer_wanted)
    /* Translators: %s is a list of types such as "a string or an integer" */
    schema_problem (sc, _("must be %s, not a fractional number"), message->str);
  else
    /* Translators: "must be a string or null, not a number" */
    schema_problem (sc, _("must be %s, not %s"), message->str,
                    type_with_article (deca_json_type_name (instance)));
  return FALSE;
}

static void
check_enum (SchemaCheck *sc,
            JsonObject  *schema,
            JsonNode    *instance)
{
  JsonNode *enum_node = schema_member (schema, "enum");
  JsonNode *const_node = schema_member (schema, "const");

  if (enum_node != NULL && JSON_NODE_HOLDS_ARRAY (enum_node))
    {
      JsonArray *values = json_node_get_array (enum_node);
      g_autoptr(GString) message = g_string_new (NULL);
      guint n = json_array_get_length (values);

      for (guint i = 0; i < n; i++)
        {
          if (json_node_equal (json_array_get_element (values, i), instance))
            return;
        }
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *text = value_to_display (json_array_get_element (values, i));

          if (i > 0)
            g_string_append (message, ", ");
          g_string_append (message, text);
        }
      /* Translators: %s is a list of allowed values, "GET, POST, PUT" */
      schema_problem (sc, _("must be one of %s"), message->str);
    }

  if (const_node != NULL && !json_node_equal (const_node, instance))
    {
      g_autofree char *text = value_to_display (const_node);

      schema_problem (sc, _("must be %s"), text);
    }
}

static void
check_number (SchemaCheck *sc,
              JsonObject  *schema,
              JsonNode    *instance)
{
  double value = json_node_get_double (instance);
  double bound;

  if (schema_get_number (schema, "minimum", &bound) && !(value >= bound))
    {
      g_autofree char *text = number_to_display (bound);
      schema_problem (sc, _("must be at least %s"), text);
    }
  if (schema_get_number (schema, "maximum", &bound) && !(value <= bound))
    {
      g_autofree char *text = number_to_display (bound);
      schema_problem (sc, _("must be at most %s"), text);
    }
  if (schema_get_number (schema, "exclusiveMinimum", &bound) && !(value > bound))
    {
      g_autofree char *text = number_to_display (bound);
      schema_problem (sc, _("must be greater than %s"), text);
    }
  if (schema_get_number (schema, "exclusiveMaximum", &bound) && !(value < bound))
    {
      g_autofree char *text = number_to_display (bound);
      schema_problem (sc, _("must be less than %s"), text);
    }
}

static void
check_string (SchemaCheck *sc,
              JsonObject  *schema,
              JsonNode    *instance)
{
  const char *value = json_node_get_string (instance);
  glong length = g_utf8_strlen (value, -1);
  JsonNode *pattern = schema_member (schema, "pattern");
  double bound;

  if (schema_get_number (schema, "minLength", &bound) && length < bound)
    {
      if (bound == 1)
        schema_problem (sc, _("must not be empty"));
      else
        schema_problem (sc, _("must be at least %.0f characters long"), bound);
    }
  if (schema_get_number (schema, "maxLength", &bound) && length > bound)
    schema_problem (sc, _("must be at most %.0f characters long"), bound);

  if (pattern != NULL && json_is_string (pattern))
    {
      g_autoptr(GError) error = NULL;
      GRegex *regex = pattern_lookup (json_node_get_string (pattern), &error);

      if (regex == NULL)
        schema_problem (sc, _("cannot be checked: the schema's pattern '%s' is invalid (%s)"),
                        json_node_get_string (pattern), error->message);
      else if (!g_regex_match (regex, value, 0, NULL))
        schema_problem (sc, _("must match the pattern %s"), json_node_get_string (pattern));
    }
}

static void
check_array (SchemaCheck *sc,
             JsonObject  *schema,
             JsonNode    *instance)
{
  JsonArray *array = json_node_get_array (instance);
  guint n = json_array_get_length (array);
  JsonNode *items = schema_member (schema, "items");
  double bound;

  if (schema_get_number (schema, "minItems", &bound) && n < bound)
    {
      if (bound == 1)
        schema_problem (sc, _("must not be empty"));
      else
        schema_problem (sc, _("must have at least %.0f items"), bound);
    }
  if (schema_get_number (schema, "maxItems", &bound) && n > bound)
    schema_problem (sc, _("must have at most %.0f items"), bound);

  if (items == NULL)
    return;
  for (guint i = 0; i < n; i++)
    {
      gsize len = sc->pointer->len;
      char index[16];

      g_snprintf (index, sizeof index, "%u", i);
      deca_json_pointer_append (sc->pointer, index);
      schema_check (sc, items, json_array_get_element (array, i));
      g_string_truncate (sc->pointer, len);
    }
}

static void
check_object (SchemaCheck *sc,
              JsonObject  *schema,
              JsonNode    *instance)
{
  JsonObject *object = json_node_get_object (instance);
  JsonNode *required = schema_member (schema, "required");
  JsonNode *properties_node = schema_member (schema, "properties");
  JsonNode *additional = schema_member (schema, "additionalProperties");
  JsonObject *properties = NULL;
  g_autoptr(GList) members = NULL;

  if (properties_node != NULL && JSON_NODE_HOLDS_OBJECT (properties_node))
    properties = json_node_get_object (properties_node);

  if (required != NULL && JSON_NODE_HOLDS_ARRAY (required))
    {
      JsonArray *names = json_node_get_array (required);

      for (guint i = 0; i < json_array_get_length (names); i++)
        {
          JsonNode *name = json_array_get_element (names, i);
          gsize len = sc->pointer->len;

          if (!json_is_string (name) || json_object_has_member (object,
                                                                 json_node_get_string (name)))
            continue;
          deca_json_pointer_append (sc->pointer, json_node_get_string (name));
          schema_problem (sc, _("is required"));
          g_string_truncate (sc->pointer, len);
        }
    }

  /* Members in document order, so problems come out in the order a person reads them. */
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *subschema = NULL;
      gsize len = sc->pointer->len;

      if (properties != NULL)
        subschema = json_object_get_member (properties, name);
      if (subschema == NULL)
        subschema = additional;
      if (subschema == NULL)
        continue;

      deca_json_pointer_append (sc->pointer, name);
      if (JSON_NODE_HOLDS_VALUE (subschema) &&
          json_node_get_value_type (subschema) == G_TYPE_BOOLEAN &&
          !json_node_get_boolean (subschema) && subschema == additional)
        schema_problem (sc, _("is not a known property"));
      else
        schema_check (sc, subschema, json_object_get_member (object, name));
      g_string_truncate (sc->pointer, len);
    }
}

/* Runs @schema on @instance into a fresh problem list, for anyOf/oneOf. */
static GPtrArray *
check_branch (SchemaCheck *sc,
              JsonNode    *schema,
              JsonNode    *instance)
{
  SchemaCheck branch = *sc;

  branch.problems = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
  schema_check (&branch, schema, instance);
  g_assert (branch.pointer->len == sc->pointer->len);
  return branch.problems;
}

/* TRUE when branch @schema's own "type" (if any) accepts @instance. */
static gboolean
branch_type_accepts (JsonNode *schema,
                     JsonNode *instance)
{
  JsonNode *type;

  if (!JSON_NODE_HOLDS_OBJECT (schema))
    return TRUE;
  type = json_object_get_member (json_node_get_object (schema), "type");
  if (type == NULL)
    return TRUE;
  if (json_is_string (type))
    return type_matches (json_node_get_string (type), instance);
  if (JSON_NODE_HOLDS_ARRAY (type))
    {
      JsonArray *array = json_node_get_array (type);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (json_is_string (element) && type_matches (json_node_get_string (element), instance))
            return TRUE;
        }
      return FALSE;
    }
  return TRUE;
}

/* Checks "anyOf" (@exactly_one FALSE) or "oneOf". When no branch matches, the problems of
 * the first branch whose type fits are reported, since that is the form the author most
 * likely meant; when no type fits, one message lists the types the branches accept. */
static void
check_alternatives (SchemaCheck *sc,
                    JsonObject  *schema,
                    const char  *keyword,
                    gboolean     exactly_one,
                    JsonNode    *instance)
{
  JsonNode *node = schema_member (schema, keyword);
  g_autoptr(GPtrArray) results = NULL;
  JsonArray *branches;
  guint n, matches = 0;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;
  branches = json_node_get_array (node);
  n = json_array_get_length (branches);
  if (n == 0)
    return;

  results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < n; i++)
    {
      GPtrArray *problems = check_branch (sc, json_array_get_element (branches, i), instance);

      if (problems->len == 0)
        matches++;
      g_ptr_array_add (results, problems);
    }

  if (matches == 1 || (matches > 1 && !exactly_one))
    return;
  if (matches > 1)
    {
      schema_problem (sc, _("matches more than one of the allowed forms"));
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      if (branch_type_accepts (json_array_get_element (branches, i), instance))
        {
          GPtrArray *problems = results->pdata[i];

          for (guint j = 0; j < problems->len; j++)
            g_ptr_array_add (sc->problems, g_steal_pointer (&problems->pdata[j]));
          g_ptr_array_set_free_func (problems, NULL);
          return;
        }
    }

  {
    g_autoptr(GPtrArray) names = g_ptr_array_new ();
    g_autoptr(GString) message = g_string_new (NULL);

    for (guint i = 0; i < n; i++)
      {
        JsonNode *branch = json_array_get_element (branches, i);
        JsonNode *type = JSON_NODE_HOLDS_OBJECT (branch)
                         ? json_object_get_member (json_node_get_object (branch), "type")
                         : NULL;

        if (type != NULL && json_is_string (type))
          g_ptr_array_add (names, (gpointer) type_with_article (json_node_get_string (type)));
      }
    if (names->len == 0)
      {
        schema_problem (sc, _("does not match any of the allowed forms"));
        return;
      }
    append_alternatives (message, names);
    /* Translators: "must be a string or null, not a number" */
    schema_problem (sc, _("must be %s, not %s"), message->str,
                    type_with_article (deca_json_type_name (instance)));
  }
}

static gboolean
is_template_string (SchemaCheck *sc,
                    JsonNode    *instance)
{
  return (sc->flags & DECA_SCHEMA_CHECK_NO_TEMPLATES) == 0 &&
         json_is_string (instance) &&
         strstr (json_node_get_string (instance), "{{") != NULL;
}

static void
schema_check (SchemaCheck *sc,
              JsonNode    *schema,
              JsonNode    *instance)
{
  JsonObject *object;

  if (schema == NULL || instance == NULL)
    return;

  /* Boolean schemas: true accepts anything, false nothing. */
  if (JSON_NODE_HOLDS_VALUE (schema) && json_node_get_value_type (schema) == G_TYPE_BOOLEAN)
    {
      if (!json_node_get_boolean (schema))
        schema_problem (sc, _("is not allowed here"));
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (schema))
    return;
  object = json_node_get_object (schema);

  /* A template's value is only known at run time; whatever it renders to is checked by the
   * node then. Its syntax is the validator's business, not the schema's. */
  if (is_template_string (sc, instance))
    return;

  if (!check_type (sc, object, instance))
    return;

  check_enum (sc, object, instance);
  if (json_is_number (instance))
    check_number (sc, object, instance);
  else if (json_is_string (instance))
    check_string (sc, object, instance);
  else if (JSON_NODE_HOLDS_ARRAY (instance))
    check_array (sc, object, instance);
  else if (JSON_NODE_HOLDS_OBJECT (instance))
    check_object (sc, object, instance);

  check_alternatives (sc, object, "anyOf", FALSE, instance);
  check_alternatives (sc, object, "oneOf", TRUE, instance);
}

/*
 * deca_validate_against_schema_full:
 * Appends (transfer full) DecaValidationProblem pointers for every way @instance breaks
 * @schema to @problems. Pointers are @pointer_prefix (NULL = "") followed by the path
 * inside @instance. A NULL @schema or @instance adds nothing.
 */
void
deca_validate_against_schema_full (JsonNode             *schema,
                                   JsonNode             *instance,
                                   const char           *pointer_prefix,
                                   DecaSchemaCheckFlags  flags,
                                   GPtrArray            *problems)
{
  g_autoptr(GString) pointer = g_string_new (pointer_prefix ? pointer_prefix : "");
  SchemaCheck sc = { problems, flags, pointer };

  g_return_if_fail (problems != NULL);

  schema_check (&sc, schema, instance);
}

void
deca_validate_against_schema (JsonNode   *schema,
                              JsonNode   *instance,
                              const char *pointer_prefix,
                              GPtrArray  *problems)
{
  deca_validate_against_schema_full (schema, instance, pointer_prefix,
                                     DECA_SCHEMA_CHECK_DEFAULT, problems);
}

static JsonNode *
schema_get_properties_member (JsonNode   *schema,
                              const char *key)
{
  JsonNode *properties;

  if (schema == NULL || !JSON_NODE_HOLDS_OBJECT (schema))
    return NULL;
  properties = json_object_get_member (json_node_get_object (schema), "properties");
  if (properties == NULL || !JSON_NODE_HOLDS_OBJECT (properties))
    return NULL;
  return json_object_get_member (json_node_get_object (properties), key);
}

/* Looks into the anyOf/oneOf branches of @schema for a subschema @lookup finds. */
static JsonNode *
schema_search_branches (JsonNode   *schema,
                        const char *key,
                        JsonNode *(*lookup) (JsonNode *, const char *))
{
  static const char * const keywords[] = { "anyOf", "oneOf" };

  for (guint k = 0; k < G_N_ELEMENTS (keywords); k++)
    {
      JsonNode *node = json_object_get_member (json_node_get_object (schema), keywords[k]);
      JsonArray *branches;

      if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
        continue;
      branches = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (branches); i++)
        {
          JsonNode *found = lookup (json_array_get_element (branches, i), key);

          if (found != NULL)
            return found;
        }
    }
  return NULL;
}

JsonNode *
deca_schema_get_property (JsonNode   *schema,
                          const char *key)
{
  JsonNode *found;
  JsonNode *additional;

  g_return_val_if_fail (key != NULL, NULL);

  if (schema == NULL || !JSON_NODE_HOLDS_OBJECT (schema))
    return NULL;
  found = schema_get_properties_member (schema, key);
  if (found == NULL)
    found = schema_search_branches (schema, key, schema_get_properties_member);
  if (found != NULL)
    return found;
  additional = json_object_get_member (json_node_get_object (schema), "additionalProperties");
  if (additional != NULL && JSON_NODE_HOLDS_OBJECT (additional))
    return additional;
  return NULL;
}

static JsonNode *
schema_get_items_member (JsonNode   *schema,
                         const char *unused)
{
  JsonNode *items;

  if (schema == NULL || !JSON_NODE_HOLDS_OBJECT (schema))
    return NULL;
  items = json_object_get_member (json_node_get_object (schema), "items");
  if (items == NULL || !JSON_NODE_HOLDS_OBJECT (items))
    return NULL;
  return items;
}

JsonNode *
deca_schema_get_items (JsonNode *schema)
{
  JsonNode *found;

  if (schema == NULL || !JSON_NODE_HOLDS_OBJECT (schema))
    return NULL;
  found = schema_get_items_member (schema, NULL);
  if (found == NULL)
    found = schema_search_branches (schema, NULL, schema_get_items_member);
  return found;
}
