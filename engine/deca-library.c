/* deca-library.c: the kinds of library documents (agents, prompts, functions), their
 * schemas and their validation (see the header; the shapes are explained field by field in
 * docs/library.md, which must change with the schemas below). */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "deca-library.h"
#include "deca-expr.h"
#include "deca-json.h"
#include "deca-node-type.h"
#include "deca-validator.h"

/* Schema pieces the kinds share. */
#define ID_SCHEMA \
  "{\"type\": \"string\", \"pattern\": \"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$\"}"
#define NAME_SCHEMA \
  "{\"type\": \"string\", \"minLength\": 1, \"maxLength\": 200}"
#define DESCRIPTION_SCHEMA \
  "{\"type\": \"string\", \"maxLength\": 10000}"
#define METADATA_SCHEMA \
  "{\"type\": \"object\"}"
/* What a model is called by: the agent's (provider and name required) and a prompt's
 * hints (all optional) share the members. */
#define MODEL_PROPERTIES \
  "\"provider\": {\"type\": \"string\", \"pattern\": \"^[a-z][a-z0-9_-]{0,63}$\"}," \
  "\"name\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 200}," \
  "\"temperature\": {\"type\": \"number\", \"minimum\": 0, \"maximum\": 2}," \
  "\"top_p\": {\"type\": \"number\", \"minimum\": 0, \"maximum\": 1}," \
  "\"max_tokens\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 1000000}"

static const char agent_schema[] =
  "{\"type\": \"object\", \"required\": [\"name\", \"model\"], \"additionalProperties\": false,"
  " \"properties\": {"
  "  \"id\": " ID_SCHEMA ","
  "  \"name\": " NAME_SCHEMA ","
  "  \"description\": " DESCRIPTION_SCHEMA ","
  "  \"type\": {\"type\": \"string\", \"pattern\": \"^[a-z][a-z0-9_-]{0,63}$\"},"
  "  \"status\": {\"enum\": [\"active\", \"inactive\"]},"
  "  \"model\": {\"type\": \"object\", \"required\": [\"provider\", \"name\"],"
  "             \"additionalProperties\": false, \"properties\": {" MODEL_PROPERTIES "}},"
  "  \"system_prompt\": {\"type\": \"string\", \"maxLength\": 100000},"
  "  \"prompt\": {\"type\": \"object\", \"required\": [\"id\"], \"additionalProperties\": false,"
  "              \"properties\": {\"id\": " ID_SCHEMA ","
  "                             \"version\": {\"type\": \"integer\", \"minimum\": 1}}},"
  "  \"tools\": {\"type\": \"array\", \"maxItems\": 128, \"items\": {"
  "    \"type\": \"object\", \"required\": [\"type\", \"id\"], \"additionalProperties\": false,"
  "    \"properties\": {"
  "      \"type\": {\"enum\": [\"flow\", \"function\", \"mcp\"]},"
  "      \"id\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 256},"
  "      \"version\": {\"type\": \"integer\", \"minimum\": 1},"
  "      \"description\": {\"type\": \"string\", \"maxLength\": 2000},"
  "      \"tools\": {\"type\": \"array\", \"maxItems\": 256,"
  "                 \"items\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 128}}}}},"
  "  \"credential\": {\"type\": \"string\", \"pattern\": \"^[A-Za-z_][A-Za-z0-9_-]{0,63}$\"},"
  "  \"memory\": {\"type\": \"object\", \"required\": [\"strategy\"], \"additionalProperties\": false,"
  "              \"properties\": {"
  "                \"strategy\": {\"enum\": [\"none\", \"window\", \"summary\"]},"
  "                \"max_messages\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 10000}}},"
  "  \"metadata\": " METADATA_SCHEMA
  " }}";

static const char prompt_schema[] =
  "{\"type\": \"object\", \"required\": [\"name\", \"template\"], \"additionalProperties\": false,"
  " \"properties\": {"
  "  \"id\": " ID_SCHEMA ","
  "  \"name\": " NAME_SCHEMA ","
  "  \"description\": " DESCRIPTION_SCHEMA ","
  "  \"template\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 100000},"
  "  \"variables\": {\"type\": \"object\", \"additionalProperties\": {"
  "    \"type\": \"object\", \"required\": [\"type\"], \"additionalProperties\": false,"
  "    \"properties\": {"
  "      \"type\": {\"enum\": [\"string\", \"number\", \"integer\", \"boolean\", \"object\", \"array\"]},"
  "      \"description\": {\"type\": \"string\", \"maxLength\": 2000},"
  "      \"required\": {\"type\": \"boolean\"},"
  "      \"default\": {}}}},"
  "  \"model\": {\"type\": \"object\", \"additionalProperties\": false,"
  "             \"properties\": {" MODEL_PROPERTIES "}},"
  "  \"tags\": {\"type\": \"array\", \"maxItems\": 64,"
  "            \"items\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 64}},"
  "  \"metadata\": " METADATA_SCHEMA
  " }}";

static const char function_schema[] =
  "{\"type\": \"object\", \"required\": [\"name\", \"language\", \"code\"],"
  " \"additionalProperties\": false,"
  " \"properties\": {"
  "  \"id\": " ID_SCHEMA ","
  "  \"name\": " NAME_SCHEMA ","
  "  \"description\": " DESCRIPTION_SCHEMA ","
  "  \"language\": {\"enum\": [\"javascript\", \"python\"]},"
  "  \"code\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 1048576},"
  "  \"entry_point\": {\"type\": \"string\", \"pattern\": \"^[A-Za-z_$][A-Za-z0-9_$]{0,127}$\"},"
  "  \"input_schema\": {\"type\": \"object\"},"
  "  \"output_schema\": {\"type\": \"object\"},"
  "  \"timeout_ms\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 600000},"
  "  \"memory_mb\": {\"type\": \"integer\", \"minimum\": 16, \"maximum\": 8192},"
  "  \"dependencies\": {\"type\": \"array\", \"maxItems\": 256,"
  "                    \"items\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 256}},"
  "  \"metadata\": " METADATA_SCHEMA
  " }}";

/* What a function's input_schema and output_schema must look like to be schemas the engine
 * can check values against: the top level of the subset (deca-schema.c). The subset has no
 * $ref, so only the outermost level is checked here; the rest is checked when the schemas
 * are used. */
#define SCHEMA_TYPES "\"string\", \"number\", \"integer\", \"boolean\", \"object\", \"array\", \"null\""
static const char meta_schema[] =
  "{\"type\": \"object\", \"properties\": {"
  "  \"type\": {\"anyOf\": [{\"enum\": [" SCHEMA_TYPES "]},"
  "                       {\"type\": \"array\", \"minItems\": 1, \"items\": {\"enum\": [" SCHEMA_TYPES "]}}]},"
  "  \"properties\": {\"type\": \"object\", \"additionalProperties\": {\"type\": [\"object\", \"boolean\"]}},"
  "  \"required\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}},"
  "  \"additionalProperties\": {\"type\": [\"object\", \"boolean\"]},"
  "  \"items\": {\"type\": [\"object\", \"boolean\"]},"
  "  \"enum\": {\"type\": \"array\"},"
  "  \"anyOf\": {\"type\": \"array\", \"minItems\": 1, \"items\": {\"type\": \"object\"}},"
  "  \"oneOf\": {\"type\": \"array\", \"minItems\": 1, \"items\": {\"type\": \"object\"}},"
  "  \"pattern\": {\"type\": \"string\"},"
  "  \"minimum\": {\"type\": \"number\"}, \"maximum\": {\"type\": \"number\"},"
  "  \"minLength\": {\"type\": \"integer\", \"minimum\": 0},"
  "  \"maxLength\": {\"type\": \"integer\", \"minimum\": 0},"
  "  \"minItems\": {\"type\": \"integer\", \"minimum\": 0},"
  "  \"maxItems\": {\"type\": \"integer\", \"minimum\": 0}"
  "}}";

static const struct {
  const char *name;
  const char *plural;
  const char *schema;
} kinds[DECA_LIBRARY_N_KINDS] = {
  [DECA_LIBRARY_AGENT] = { "agent", "agents", agent_schema },
  [DECA_LIBRARY_PROMPT] = { "prompt", "prompts", prompt_schema },
  [DECA_LIBRARY_FUNCTION] = { "function", "functions", function_schema },
};

const char *
deca_library_kind_to_string (DecaLibraryKind kind)
{
  if ((guint) kind >= DECA_LIBRARY_N_KINDS)
    return NULL;
  return kinds[kind].name;
}

const char *
deca_library_kind_plural (DecaLibraryKind kind)
{
  if ((guint) kind >= DECA_LIBRARY_N_KINDS)
    return NULL;
  return kinds[kind].plural;
}

gboolean
deca_library_kind_from_string (const char      *name,
                               DecaLibraryKind *out_kind)
{
  g_return_val_if_fail (out_kind != NULL, FALSE);

  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < DECA_LIBRARY_N_KINDS; i++)
    if (g_str_equal (name, kinds[i].name) || g_str_equal (name, kinds[i].plural))
      {
        *out_kind = (DecaLibraryKind) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
deca_library_id_is_valid (const char *id)
{
  gsize length;

  if (id == NULL)
    return FALSE;
  length = strlen (id);
  if (length == 0 || length > DECA_LIBRARY_MAX_ID_LENGTH || !g_ascii_isalnum (id[0]))
    return FALSE;
  for (gsize i = 1; i < length; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '_' && id[i] != '-' && id[i] != '.')
      return FALSE;
  return TRUE;
}

/* Parses a schema text of this file. They are constants: a failure is a bug here. */
static JsonNode *
parse_schema (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = deca_json_parse (text, -1, &error);

  if (node == NULL)
    g_error ("library schema does not parse: %s", error->message);
  return node;
}

JsonNode *
deca_library_get_schema (DecaLibraryKind kind)
{
  static JsonNode *schemas[DECA_LIBRARY_N_KINDS];
  static gsize initialized;

  g_return_val_if_fail ((guint) kind < DECA_LIBRARY_N_KINDS, NULL);

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < DECA_LIBRARY_N_KINDS; i++)
        {
          schemas[i] = parse_schema (kinds[i].schema);
          json_node_seal (schemas[i]);
        }
      g_once_init_leave (&initialized, 1);
    }
  return schemas[kind];
}

static JsonNode *
get_meta_schema (void)
{
  static JsonNode *schema;

  if (g_once_init_enter (&schema))
    {
      JsonNode *node = parse_schema (meta_schema);

      json_node_seal (node);
      g_once_init_leave (&schema, node);
    }
  return schema;
}

/* --- checks beyond the schema ----------------------------------------------------- */

typedef struct {
  GPtrArray *problems;
  const char *prefix;
} Check;

/* Adds a problem at @prefix + the pointer built from @tokens (NULL-terminated). */
static void
add_problem (Check              *check,
             const char * const *tokens,
             const char         *message)
{
  g_autoptr(GString) pointer = g_string_new (check->prefix);

  for (guint i = 0; tokens != NULL && tokens[i] != NULL; i++)
    deca_json_pointer_append (pointer, tokens[i]);
  g_ptr_array_add (check->problems, deca_validation_problem_new (pointer->str, "%s", message));
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* An agent names its instructions once: inline, or as a prompt of the library. A tool is
 * what the model may call: a flow or a function of the workspace (by id), or the tools of
 * an MCP server (by its name, with "tools" narrowing them). */
static void
check_agent (Check      *check,
             JsonObject *agent)
{
  JsonNode *tools = json_object_get_member (agent, "tools");
  JsonNode *memory = json_object_get_member (agent, "memory");
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (json_object_has_member (agent, "system_prompt") && json_object_has_member (agent, "prompt"))
    add_problem (check, (const char *[]) { "prompt", NULL },
                 _("an agent has either “system_prompt” or “prompt”, not both"));

  if (tools != NULL && JSON_NODE_HOLDS_ARRAY (tools))
    {
      JsonArray *array = json_node_get_array (tools);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          g_autofree char *index = g_strdup_printf ("%u", i);
          const char *type, *id;
          JsonObject *tool;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            continue;
          tool = json_node_get_object (element);
          type = string_member (tool, "type");
          id = string_member (tool, "id");
          if (type == NULL || id == NULL)
            continue;
          if (g_str_equal (type, "mcp"))
            {
              if (json_object_has_member (tool, "version"))
                add_problem (check, (const char *[]) { "tools", index, "version", NULL },
                             _("an MCP server has no versions; only flow and function tools name one"));
            }
          else
            {
              if (!deca_library_id_is_valid (id))
                add_problem (check, (const char *[]) { "tools", index, "id", NULL },
                             _("must be the id of a flow or function: letters, digits, “_”, “-” and “.”"));
              if (json_object_has_member (tool, "tools"))
                add_problem (check, (const char *[]) { "tools", index, "tools", NULL },
                             _("only an MCP server tool chooses among its tools"));
            }
          if (!g_hash_table_add (seen, g_strconcat (type, ":", id, NULL)))
            add_problem (check, (const char *[]) { "tools", index, NULL },
                         _("this tool is listed already"));
        }
    }

  if (memory != NULL && JSON_NODE_HOLDS_OBJECT (memory))
    {
      const char *strategy = string_member (json_node_get_object (memory), "strategy");

      if (g_strcmp0 (strategy, "none") == 0 && json_object_has_member (json_node_get_object (memory), "max_messages"))
        add_problem (check, (const char *[]) { "memory", "max_messages", NULL },
                     _("an agent without memory keeps no messages"));
    }
}

static gboolean
variable_name_is_valid (const char *name)
{
  if (!g_ascii_isalpha (name[0]) && name[0] != '_')
    return FALSE;
  for (const char *p = name + 1; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return strlen (name) <= 64;
}

/* A prompt's variables are what its template may use: every {{name}} of the template
 * must be declared (a typo is an error when the prompt is saved, not when it runs), each
 * name is one a template can write, and a default has the declared type. */
static void
check_prompt (Check      *check,
              JsonObject *prompt)
{
  JsonNode *variables_node = json_object_get_member (prompt, "variables");
  JsonObject *variables = NULL;
  const char *text = string_member (prompt, "template");

  if (variables_node != NULL && JSON_NODE_HOLDS_OBJECT (variables_node))
    {
      g_autoptr(GList) names = NULL;

      variables = json_node_get_object (variables_node);
      names = json_object_get_members (variables);
      for (GList *l = names; l != NULL; l = l->next)
        {
          const char *name = l->data;
          JsonNode *variable = json_object_get_member (variables, name);
          JsonNode *default_node;
          const char *type;

          if (!variable_name_is_valid (name))
            add_problem (check, (const char *[]) { "variables", name, NULL },
                         _("a variable name is 1 to 64 letters, digits and “_”, not starting with a digit"));
          if (!JSON_NODE_HOLDS_OBJECT (variable))
            continue;
          type = string_member (json_node_get_object (variable), "type");
          default_node = json_object_get_member (json_node_get_object (variable), "default");
          if (type != NULL && default_node != NULL)
            {
              g_autoptr(JsonNode) type_schema = json_node_new (JSON_NODE_OBJECT);
              g_autoptr(GString) pointer = g_string_new (check->prefix);
              JsonObject *object = json_object_new ();

              json_object_set_string_member (object, "type", type);
              json_node_take_object (type_schema, object);
              deca_json_pointer_append (pointer, "variables");
              deca_json_pointer_append (pointer, name);
              deca_json_pointer_append (pointer, "default");
              deca_validate_against_schema_full (type_schema, default_node, pointer->str,
                                                 DECA_SCHEMA_CHECK_NO_TEMPLATES, check->problems);
            }
        }
    }

  if (text != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DecaTemplate) template = deca_template_parse (text, NULL, &error);
      g_autoptr(GPtrArray) references = NULL;

      if (template == NULL)
        {
          add_problem (check, (const char *[]) { "template", NULL }, error->message);
          return;
        }
      references = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_expr_reference_free);
      deca_template_collect_references (template, references);
      for (guint i = 0; i < references->len; i++)
        {
          DecaExprReference *reference = g_ptr_array_index (references, i);
          g_autofree char *message = NULL;
          gboolean reported = FALSE;

          if (variables != NULL && json_object_has_member (variables, reference->root))
            continue;
          /* One problem per undeclared name, however often it is used. */
          for (guint j = 0; j < i && !reported; j++)
            reported = g_str_equal (((DecaExprReference *) g_ptr_array_index (references, j))->root,
                                    reference->root);
          if (reported)
            continue;
          message = g_strdup_printf (_("uses the variable “%s”, which “variables” does not declare"),
                                     reference->root);
          add_problem (check, (const char *[]) { "template", NULL }, message);
        }
    }
}

/* A function's schemas are checked against the subset's top level. */
static void
check_function (Check      *check,
                JsonObject *function)
{
  static const char * const members[] = { "input_schema", "output_schema" };

  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    {
      JsonNode *schema = json_object_get_member (function, members[i]);
      g_autoptr(GString) pointer = NULL;

      if (schema == NULL || !JSON_NODE_HOLDS_OBJECT (schema))
        continue;
      pointer = g_string_new (check->prefix);
      deca_json_pointer_append (pointer, members[i]);
      deca_validate_against_schema_full (get_meta_schema (), schema, pointer->str,
                                         DECA_SCHEMA_CHECK_NO_TEMPLATES, check->problems);
    }
}

void
deca_library_validate (DecaLibraryKind  kind,
                       JsonNode        *document,
                       const char      *pointer_prefix,
                       GPtrArray       *problems)
{
  Check check = { problems, pointer_prefix != NULL ? pointer_prefix : "" };

  g_return_if_fail ((guint) kind < DECA_LIBRARY_N_KINDS);
  g_return_if_fail (document != NULL);
  g_return_if_fail (problems != NULL);

  /* Nothing of a library document is rendered as it stands (a prompt's template is
   * parsed below), so "{{" gets no pass anywhere. */
  deca_validate_against_schema_full (deca_library_get_schema (kind), document, check.prefix,
                                     DECA_SCHEMA_CHECK_NO_TEMPLATES, problems);
  if (!JSON_NODE_HOLDS_OBJECT (document))
    return;
  /* The checks below read only members of the right type, so they add to what the
   * schema found without repeating it. */
  switch (kind)
    {
    case DECA_LIBRARY_AGENT:
      check_agent (&check, json_node_get_object (document));
      break;
    case DECA_LIBRARY_PROMPT:
      check_prompt (&check, json_node_get_object (document));
      break;
    case DECA_LIBRARY_FUNCTION:
      check_function (&check, json_node_get_object (document));
      break;
    case DECA_LIBRARY_N_KINDS:
    default:
      g_assert_not_reached ();
    }
}
