/* The "branch" node: a switch that leaves by the port of the first matching case. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-branch-node.h"

struct _DecaBranchNode
{
  DecaNodeBase parent_instance;
};

G_DEFINE_FINAL_TYPE (DecaBranchNode, deca_branch_node, DECA_TYPE_NODE_BASE)

#define DEFAULT_PORT "default"

static const DecaNodeInfo branch_info = {
  .name = "branch",
  .title = N_("Branch"),
  .description = N_("Routes the flow to the port of the first case that matches, or to "
                    "\"default\" when none does."),
  .category = "core",
  .kind = DECA_NODE_KIND_ACTION,
  .replayable = TRUE,
  .default_port = DEFAULT_PORT,
  .schema =
    "{"
    "  \"type\": \"object\","
    "  \"title\": \"Branch\","
    "  \"properties\": {"
    "    \"value\": {"
    "      \"type\": \"string\","
    "      \"format\": \"expression\","
    "      \"title\": \"Value\","
    "      \"description\": \"Optional: an expression whose result the cases' 'equals' "
    "compare against, and which their 'when' expressions can read as value.\""
    "    },"
    "    \"cases\": {"
    "      \"type\": \"array\","
    "      \"title\": \"Cases\","
    "      \"description\": \"Tried in order; the first that matches chooses the port.\","
    "      \"default\": [],"
    "      \"items\": {"
    "        \"type\": \"object\","
    "        \"title\": \"Case\","
    "        \"description\": \"A port and either a 'when' expression or an 'equals' value.\","
    "        \"properties\": {"
    "          \"port\": {"
    "            \"type\": \"string\","
    "            \"minLength\": 1,"
    "            \"title\": \"Port\","
    "            \"description\": \"The output port taken when this case matches; 'default' "
    "and 'error' are reserved.\""
    "          },"
    "          \"when\": {"
    "            \"type\": \"string\","
    "            \"format\": \"expression\","
    "            \"x-deca-locals\": [\"value\"],"
    "            \"minLength\": 1,"
    "            \"title\": \"When\","
    "            \"description\": \"Matches when this expression is truthy, for example "
    "value > 100 or {{input.tier}} === 'gold'.\""
    "          },"
    "          \"equals\": {"
    "            \"title\": \"Equals\","
    "            \"description\": \"Matches when 'value' equals this JSON value (numbers "
    "compare by value, objects by content).\""
    "          }"
    "        },"
    "        \"required\": [\"port\"],"
    "        \"additionalProperties\": false"
    "      }"
    "    }"
    "  },"
    "  \"required\": [\"cases\"],"
    "  \"additionalProperties\": false"
    "}",
};

static const char *
case_port (JsonNode *item)
{
  JsonNode *port;

  if (!JSON_NODE_HOLDS_OBJECT (item))
    return NULL;
  port = json_object_get_member (json_node_get_object (item), "port");
  if (port == NULL || !JSON_NODE_HOLDS_VALUE (port)
      || json_node_get_value_type (port) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (port);
}

static JsonArray *
get_cases (JsonObject *config)
{
  JsonNode *cases = config ? json_object_get_member (config, "cases") : NULL;

  return cases != NULL && JSON_NODE_HOLDS_ARRAY (cases) ? json_node_get_array (cases) : NULL;
}

/* Each case's port once, in order, then "default". Malformed cases are skipped: the
 * validator reports them, and ports are asked for before validation too. */
static GStrv
deca_branch_node_list_output_ports (DecaNodeBase *base,
                                    JsonObject   *config)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *cases = get_cases (config);
  guint length = cases ? json_array_get_length (cases) : 0;

  for (guint i = 0; i < length; i++)
    {
      const char *port = case_port (json_array_get_element (cases, i));

      if (port == NULL || *port == '\0' || g_str_equal (port, DEFAULT_PORT)
          || g_str_equal (port, DECA_NODE_PORT_ERROR) || !g_hash_table_add (seen, (char *) port))
        continue;
      g_strv_builder_add (builder, port);
    }
  g_strv_builder_add (builder, DEFAULT_PORT);
  return g_strv_builder_end (builder);
}

/* Reports duplicate and reserved port names, cases with neither or both of "when" and
 * "equals", and "equals" without a "value" to compare. */
static void
deca_branch_node_check_config (DecaNodeBase *base,
                               JsonObject   *config,
                               GPtrArray    *problems)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *cases = get_cases (config);
  guint length = cases ? json_array_get_length (cases) : 0;
  gboolean has_value = _deca_node_config_has (config, "value");

  for (guint i = 0; i < length; i++)
    {
      JsonNode *item = json_array_get_element (cases, i);
      const char *port = case_port (item);
      g_autofree char *pointer = g_strdup_printf ("/cases/%u", i);
      g_autofree char *port_pointer = g_strdup_printf ("/cases/%u/port", i);
      JsonObject *object;
      gboolean has_when, has_equals;
      gpointer first;

      /* Shape problems (not an object, no port) are the schema's to report. */
      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      object = json_node_get_object (item);

      if (port != NULL)
        {
          if (g_str_equal (port, DECA_NODE_PORT_ERROR))
            _deca_node_add_problem (problems, port_pointer,
                                    _("the port name 'error' is reserved for on_error connections"));
          else if (g_str_equal (port, DEFAULT_PORT))
            _deca_node_add_problem (problems, port_pointer,
                                    _("the port name 'default' is reserved for when no case matches"));
          else if (g_hash_table_lookup_extended (seen, port, NULL, &first))
            _deca_node_add_problem (problems, port_pointer,
                                    _("port '%s' is already used by case %u"), port,
                                    GPOINTER_TO_UINT (first));
          else
            g_hash_table_insert (seen, (char *) port, GUINT_TO_POINTER (i));
        }

      has_when = json_object_has_member (object, "when");
      has_equals = json_object_has_member (object, "equals");
      if (!has_when && !has_equals)
        _deca_node_add_problem (problems, pointer, _("a case needs either 'when' or 'equals'"));
      else if (has_when && has_equals)
        _deca_node_add_problem (problems, pointer,
                                _("a case has either 'when' or 'equals', not both"));
      else if (has_equals && !has_value)
        {
          g_autofree char *equals_pointer = g_strdup_printf ("/cases/%u/equals", i);

          _deca_node_add_problem (problems, equals_pointer,
                                  _("'equals' compares against 'value', which is not set"));
        }
    }
}

/* Tries the cases in order and returns {"port": chosen, "value": value} on the chosen port
 * ("default" when none matches). Fails on a malformed case or an expression that does not
 * evaluate, naming the case. */
static void
deca_branch_node_invoke (DecaNodeBase       *base,
                         DecaNodeInvocation *invocation)
{
  JsonObject *config = deca_node_invocation_get_config (invocation);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(JsonObject) output = json_object_new ();
  const char *value_expression;
  const char *chosen = DEFAULT_PORT;
  JsonArray *cases;
  guint length;

  if (!_deca_node_config_get_string (config, "value", NULL, &value_expression, &error)
      || !_deca_node_config_get_array (config, "cases", &cases, &error))
    {
      deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
      return;
    }

  if (value_expression != NULL)
    {
      value = deca_node_invocation_evaluate (invocation, value_expression, &error);
      if (value == NULL)
        {
          g_prefix_error (&error, "'value': ");
          deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
          return;
        }
    }
  else
    value = json_node_new (JSON_NODE_NULL);

  length = cases ? json_array_get_length (cases) : 0;
  for (guint i = 0; i < length; i++)
    {
      JsonNode *item = json_array_get_element (cases, i);
      const char *port = case_port (item);
      JsonObject *object;
      JsonNode *when, *equals;
      gboolean matched;

      if (port == NULL || *port == '\0')
        {
          _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED,
                                       _("'cases[%u]' needs a 'port' string"), i);
          return;
        }
      object = json_node_get_object (item);
      when = json_object_get_member (object, "when");
      equals = json_object_get_member (object, "equals");

      if (when != NULL)
        {
          const char * const names[] = { "value", NULL };
          JsonNode *values[] = { value, NULL };
          g_autoptr(JsonNode) result = NULL;

          if (!JSON_NODE_HOLDS_VALUE (when) || json_node_get_value_type (when) != G_TYPE_STRING)
            {
              _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED,
                                           _("'cases[%u].when' must be an expression string, got %s"),
                                           i, deca_json_type_name (when));
              return;
            }
          /* Without a "value" config the root "value" stays whatever the scope says. */
          if (value_expression != NULL)
            result = deca_node_invocation_evaluate_with (invocation, json_node_get_string (when),
                                                         names, values, &error);
          else
            result = deca_node_invocation_evaluate (invocation, json_node_get_string (when),
                                                    &error);
          if (result == NULL)
            {
              g_prefix_error (&error, _("'cases[%u].when': "), i);
              deca_node_invocation_return_error (invocation, g_steal_pointer (&error));
              return;
            }
          matched = deca_json_is_truthy (result);
        }
      else if (equals != NULL)
        matched = json_node_equal (value, equals);
      else
        {
          _deca_node_return_new_error (invocation, DECA_ENGINE_ERROR_NODE_FAILED,
                                       _("'cases[%u]' needs either 'when' or 'equals'"), i);
          return;
        }

      if (matched)
        {
          chosen = port;
          break;
        }
    }

  json_object_set_string_member (output, "port", chosen);
  json_object_set_member (output, "value", g_steal_pointer (&value));
  _deca_node_return_object (invocation, output, chosen);
}

static void
deca_branch_node_class_init (DecaBranchNodeClass *klass)
{
  DecaNodeBaseClass *base_class = DECA_NODE_BASE_CLASS (klass);

  base_class->invoke = deca_branch_node_invoke;
  base_class->check_config = deca_branch_node_check_config;
  base_class->list_output_ports = deca_branch_node_list_output_ports;
}

static void
deca_branch_node_init (DecaBranchNode *self)
{
  _deca_node_base_set_info (DECA_NODE_BASE (self), &branch_info);
}

DecaNodeType *
deca_branch_node_new (void)
{
  return g_object_new (DECA_TYPE_BRANCH_NODE, NULL);
}
