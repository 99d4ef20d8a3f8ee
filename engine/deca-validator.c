/* deca-validator.c: every problem of a flow document, each with its JSON pointer.
 *
 * The validator works on the raw JSON rather than on DecaFlow so that it can keep going
 * where loading would stop: a missing "nodes" array does not hide a bad trigger. It runs in
 * passes over the document:
 *
 *   1. shape: the flow schema below (types, ranges, required members);
 *   2. nodes: ids (syntax, reserved, unique), types, configs against their type's schema
 *      and check_config();
 *   3. connections: endpoints, ports;
 *   4. graph: loop bodies, edges leaving a body, cycles;
 *   5. expressions: templates in configs and conditions, their syntax and references;
 *   6. triggers.
 *
 * Later passes skip what earlier ones found broken (a connection to an unknown node adds no
 * edge), so one mistake gives one problem, not a cascade.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-validator.h"

#include <string.h>

#include "deca-cron.h"
#include "deca-topic.h"
#include "deca-expr.h"
#include "deca-json.h"

/* Deeper documents are refused before json-glib's recursive parser sees them. */
#define MAX_JSON_DEPTH 256

/* The shape of a flow document (docs/flow-format.md). Settings, retry and the like are
 * not rendered, so templates earn no leniency here (DECA_SCHEMA_CHECK_NO_TEMPLATES). */
static const char flow_schema_text[] =
  "{"
  " \"type\": \"object\","
  " \"required\": [\"id\", \"name\", \"nodes\"],"
  " \"properties\": {"
  "  \"id\": {\"type\": \"string\", \"minLength\": 1},"
  "  \"name\": {\"type\": \"string\"},"
  "  \"version\": {\"type\": \"integer\", \"minimum\": 1},"
  "  \"nodes\": {\"type\": \"array\", \"items\": {"
  "   \"type\": \"object\","
  "   \"required\": [\"id\", \"type\"],"
  "   \"properties\": {"
  "    \"id\": {\"type\": \"string\"},"
  "    \"type\": {\"type\": \"string\"},"
  "    \"config\": {\"type\": \"object\"},"
  "    \"position\": {\"type\": \"object\", \"required\": [\"x\", \"y\"], \"properties\": {"
  "     \"x\": {\"type\": \"number\"}, \"y\": {\"type\": \"number\"}}},"
  "    \"retry\": {\"type\": \"object\", \"properties\": {"
  "     \"max_attempts\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 100},"
  "     \"initial_delay\": {\"type\": \"number\", \"minimum\": 0},"
  "     \"multiplier\": {\"type\": \"number\", \"minimum\": 1},"
  "     \"max_delay\": {\"type\": \"number\", \"minimum\": 0},"
  "     \"jitter\": {\"type\": \"number\", \"minimum\": 0, \"maximum\": 1}}},"
  "    \"timeout\": {\"type\": \"number\", \"exclusiveMinimum\": 0}"
  "   }}},"
  "  \"connections\": {\"type\": \"array\", \"items\": {"
  "   \"type\": \"object\","
  "   \"required\": [\"from\", \"to\"],"
  "   \"properties\": {"
  "    \"from\": {\"type\": \"string\"},"
  "    \"to\": {\"type\": \"string\"},"
  "    \"from_port\": {\"type\": \"string\"},"
  "    \"to_port\": {\"type\": \"string\"},"
  "    \"condition\": {\"type\": \"string\"},"
  "    \"on_error\": {\"type\": \"boolean\"}"
  "   }}},"
  "  \"triggers\": {\"type\": \"array\", \"items\": {"
  "   \"type\": \"object\","
  "   \"required\": [\"type\"],"
  "   \"properties\": {"
  "    \"type\": {\"enum\": [\"webhook\", \"schedule\", \"event\", \"manual\"]}"
  "   }}},"
  "  \"settings\": {\"type\": \"object\", \"properties\": {"
  "   \"timeout\": {\"type\": \"number\", \"exclusiveMinimum\": 0},"
  "   \"error_strategy\": {\"enum\": [\"stop_on_error\", \"continue_on_error\"]},"
  "   \"parallelism\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 1024},"
  "   \"circuit_breaker\": {\"type\": \"object\", \"properties\": {"
  "    \"failure_threshold\": {\"type\": \"integer\", \"minimum\": 1},"
  "    \"cooldown\": {\"type\": \"number\", \"exclusiveMinimum\": 0}}}"
  "  }}"
  " }"
  "}";

/* Per trigger type: the members it needs, checked with the same schema machinery when the
 * registry has no node type of that name (the trigger types' own schemas, in
 * engine/nodes/deca-trigger-nodes.c, say more: see get_trigger_type_schema()). */
static const struct {
  const char *type;
  const char *schema;
} trigger_schemas[] = {
  { "webhook",
    "{\"required\": [\"path\"], \"properties\": {"
    " \"path\": {\"type\": \"string\"},"
    " \"method\": {\"enum\": [\"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\"]}}}" },
  { "schedule",
    "{\"required\": [\"cron\"], \"properties\": {"
    " \"cron\": {\"type\": \"string\", \"minLength\": 1},"
    " \"timezone\": {\"type\": \"string\"},"
    " \"missed\": {\"enum\": [\"run_once\", \"skip\", \"run_all\"]},"
    " \"catch_up_limit\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 1000}}}" },
  { "event",
    "{\"required\": [\"event\"], \"properties\": {"
    " \"event\": {\"type\": \"string\", \"minLength\": 1}}}" },
  { "manual", "{}" },
};

/* Node ids that would shadow a root of the expression language. */
static const char * const reserved_ids[] = {
  "input", "credentials", "execution", "env", "item", "index", "loop", "true", "false", "null",
};

/* Roots every expression may use besides node ids. */
static const char * const global_roots[] = { "input", "execution", "credentials", "env" };

/* Roots only a loop body has. */
static const char * const loop_roots[] = { "item", "index", "loop" };

typedef struct {
  guint from;
  guint to;
  guint connection;   /* index in connections[] */
  const char *port;   /* the source port it leaves from, borrowed */
  gboolean back;      /* a legal loop back edge: ignored by cycle detection */
} Edge;

typedef struct {
  DecaNodeRegistry *registry;
  GPtrArray *problems;

  JsonArray *nodes;         /* NULL when "nodes" is missing or not an array */
  JsonArray *connections;   /* likewise */
  guint n_nodes;

  /* Per node index. */
  const char **ids;         /* NULL when the node has no usable id */
  DecaNodeType **types;     /* NULL when unknown */
  JsonObject **configs;     /* the config object, or an empty one; owned by @owned */
  gboolean *in_loop_body;

  GHashTable *index_of;     /* id -> GUINT_TO_POINTER (index + 1), first occurrence */
  GArray *edges;            /* Edge */
  guint n_connections;
  guint *out_start;         /* see index_edges() */
  guint *out_edges;
  int *edge_of_connection;  /* connection index -> edge index, -1 when it has none */
  GPtrArray *owned;         /* JsonObjects to unref */
} Validator;

static void
add_problem (Validator  *v,
             const char *pointer,
             const char *format,
             ...) G_GNUC_PRINTF (3, 4);

static void
add_problem (Validator  *v,
             const char *pointer,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (v->problems, deca_validation_problem_new (pointer, "%s", message));
}

static JsonNode *
parse_static_schema (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  /* The schemas are compiled in; failing to parse one is a bug, not an input problem. */
  g_assert_no_error (error);
  return node;
}

static JsonNode *
get_flow_schema (void)
{
  static JsonNode *schema;

  if (g_once_init_enter (&schema))
    g_once_init_leave (&schema, parse_static_schema (flow_schema_text));
  return schema;
}

static JsonNode *
get_trigger_schema (guint index)
{
  static JsonNode *schemas[G_N_ELEMENTS (trigger_schemas)];
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < G_N_ELEMENTS (trigger_schemas); i++)
        schemas[i] = parse_static_schema (trigger_schemas[i].schema);
      g_once_init_leave (&initialized, 1);
    }
  return schemas[index];
}

static gboolean
node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

static JsonObject *
get_object_element (JsonArray *array,
                    guint      index)
{
  JsonNode *node = json_array_get_element (array, index);

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static char *
pointer_for (const char *collection,
             guint       index,
             const char *member)
{
  if (member == NULL)
    return g_strdup_printf ("/%s/%u", collection, index);
  return g_strdup_printf ("/%s/%u/%s", collection, index, member);
}

/* ^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$, written out: ids are checked once per node
 * and a regex buys nothing here. */
static gboolean
is_valid_node_id (const char *id)
{
  gboolean after_dash = FALSE;

  if (!(g_ascii_isalpha (*id) || *id == '_'))
    return FALSE;
  for (const char *p = id + 1; *p != '\0'; p++)
    {
      if (*p == '-')
        {
          if (after_dash)
            return FALSE;
          after_dash = TRUE;
        }
      else if (g_ascii_isalnum (*p) || *p == '_')
        after_dash = FALSE;
      else
        return FALSE;
    }
  return !after_dash;
}

static gboolean
strv_contains_n (const char * const *strv,
                 gsize               n,
                 const char         *str)
{
  for (gsize i = 0; i < n; i++)
    {
      if (g_str_equal (strv[i], str))
        return TRUE;
    }
  return FALSE;
}

static int
lookup_node (Validator  *v,
             const char *id)
{
  gpointer value = g_hash_table_lookup (v->index_of, id);

  return value ? (int) GPOINTER_TO_UINT (value) - 1 : -1;
}

/* Pass 2, for node @i: id, type, config. */
static void
validate_node (Validator *v,
               guint      i)
{
  JsonObject *node = get_object_element (v->nodes, i);
  g_autofree char *id_pointer = pointer_for ("nodes", i, "id");
  g_autofree char *type_pointer = pointer_for ("nodes", i, "type");
  g_autofree char *config_pointer = pointer_for ("nodes", i, "config");
  JsonNode *config_node;
  const char *id, *type_name;
  JsonObject *config;

  if (node == NULL)
    return;  /* the flow schema said "must be an object" */

  config_node = json_object_get_member (node, "config");
  if (config_node != NULL && JSON_NODE_HOLDS_OBJECT (config_node))
    config = json_object_ref (json_node_get_object (config_node));
  else
    config = json_object_new ();
  g_ptr_array_add (v->owned, config);
  v->configs[i] = config;

  id = deca_json_object_get_string (node, "id");
  if (id != NULL)
    {
      int first = lookup_node (v, id);

      if (!is_valid_node_id (id))
        add_problem (v, id_pointer, _("'%s' is not a valid node id: it must start with a letter "
                     "or '_' and use only letters, digits, '_' and single '-' between them"),
                     id);
      else if (strv_contains_n (reserved_ids, G_N_ELEMENTS (reserved_ids), id))
        add_problem (v, id_pointer, _("'%s' is reserved: a node with this id would shadow "
                     "'%s' in expressions"), id, id);
      if (first >= 0)
        add_problem (v, id_pointer, _("duplicate node id '%s': node %d (/nodes/%d) already has it"),
                     id, first, first);
      else
        {
          g_hash_table_insert (v->index_of, (gpointer) id, GUINT_TO_POINTER (i + 1));
          v->ids[i] = id;
        }
    }

  type_name = deca_json_object_get_string (node, "type");
  if (type_name == NULL)
    return;  /* the flow schema reported it */
  v->types[i] = deca_node_registry_lookup (v->registry, type_name);
  if (v->types[i] == NULL)
    {
      add_problem (v, type_pointer, _("unknown node type '%s'"), type_name);
      return;
    }

  /* A config that is not an object was reported by the flow schema; checking the empty
   * stand-in would only add "is required" noise. */
  if (config_node == NULL || JSON_NODE_HOLDS_OBJECT (config_node))
    {
      g_autoptr(JsonNode) config_as_node = json_node_init_object (json_node_alloc (), config);
      g_autoptr(GPtrArray) semantic =
        g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);

      deca_validate_against_schema (deca_node_type_get_config_schema (v->types[i]),
                                    config_as_node, config_pointer, v->problems);

      deca_node_type_check_config (v->types[i], config, semantic);
      for (guint k = 0; k < semantic->len; k++)
        {
          DecaValidationProblem *problem = semantic->pdata[k];
          g_autofree char *pointer = NULL;

          /* check_config() speaks of pointers inside the config; make them absolute. */
          if (problem->pointer == NULL || problem->pointer[0] == '\0')
            pointer = g_strdup (config_pointer);
          else if (problem->pointer[0] == '/')
            pointer = g_strconcat (config_pointer, problem->pointer, NULL);
          else
            pointer = g_strconcat (config_pointer, "/", problem->pointer, NULL);
          add_problem (v, pointer, "%s", problem->message);
        }
    }
}

/* Joins @ports as "a, b and c" for messages. */
static char *
join_ports (GStrv ports)
{
  GString *out = g_string_new (NULL);
  guint n = ports ? g_strv_length (ports) : 0;

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, ports[i]);
    }
  if (n > 0)
    g_string_append (out, " and ");
  g_string_append (out, DECA_NODE_PORT_ERROR);
  return g_string_free (out, FALSE);
}

/* Pass 3, for connection @i: endpoints and ports; adds an edge when both ends exist. */
static void
validate_connection (Validator *v,
                     guint      i)
{
  JsonObject *connection = get_object_element (v->connections, i);
  const char *from, *to, *from_port;
  JsonNode *on_error_node;
  int from_index = -1, to_index = -1;
  const char *port;
  Edge edge;

  if (connection == NULL)
    return;

  from = deca_json_object_get_string (connection, "from");
  to = deca_json_object_get_string (connection, "to");
  from_port = deca_json_object_get_string (connection, "from_port");

  if (from != NULL && (from_index = lookup_node (v, from)) < 0)
    {
      g_autofree char *pointer = pointer_for ("connections", i, "from");
      add_problem (v, pointer, _("connection from '%s', which is not a node"), from);
    }
  if (to != NULL && (to_index = lookup_node (v, to)) < 0)
    {
      g_autofree char *pointer = pointer_for ("connections", i, "to");
      add_problem (v, pointer, _("connection to '%s', which is not a node"), to);
    }

  port = from_port;
  if (from_index >= 0 && v->types[from_index] != NULL)
    {
      DecaNodeType *type = v->types[from_index];

      if (from_port != NULL && !g_str_equal (from_port, DECA_NODE_PORT_ERROR))
        {
          g_auto(GStrv) ports = deca_node_type_list_output_ports (type, v->configs[from_index]);

          if (ports == NULL || !g_strv_contains ((const char * const *) ports, from_port))
            {
              g_autofree char *pointer = pointer_for ("connections", i, "from_port");
              g_autofree char *list = join_ports (ports);

              add_problem (v, pointer, _("node '%s' (type '%s') has no output port '%s'; its "
                           "ports are %s"), from, deca_node_type_get_name (type), from_port,
                           list);
              return;
            }
        }
      if (port == NULL)
        port = deca_node_type_get_default_port (type);
    }
  if (port == NULL)
    port = DECA_NODE_PORT_MAIN;

  on_error_node = json_object_get_member (connection, "on_error");
  if (on_error_node != NULL && JSON_NODE_HOLDS_VALUE (on_error_node) &&
      json_node_get_value_type (on_error_node) == G_TYPE_BOOLEAN &&
      json_node_get_boolean (on_error_node))
    port = DECA_NODE_PORT_ERROR;

  if (from_index < 0 || to_index < 0)
    return;

  edge.from = from_index;
  edge.to = to_index;
  edge.connection = i;
  edge.port = port;
  edge.back = FALSE;
  g_array_append_val (v->edges, edge);
}

/* Builds the outgoing-edge index (CSR: the edges leaving node n are
 * out_edges[out_start[n] .. out_start[n + 1]]), so graph passes cost O(edges). */
static void
index_edges (Validator *v)
{
  v->out_start = g_new0 (guint, v->n_nodes + 1);
  v->out_edges = g_new0 (guint, MAX (v->edges->len, 1));
  v->edge_of_connection = g_new (int, v->n_connections + 1);

  for (guint c = 0; c < v->n_connections; c++)
    v->edge_of_connection[c] = -1;
  for (guint e = 0; e < v->edges->len; e++)
    {
      Edge *edge = &g_array_index (v->edges, Edge, e);

      v->out_start[edge->from + 1]++;
      v->edge_of_connection[edge->connection] = (int) e;
    }
  for (guint n = 0; n < v->n_nodes; n++)
    v->out_start[n + 1] += v->out_start[n];
  {
    g_autofree guint *fill = g_memdup2 (v->out_start, sizeof (guint) * (v->n_nodes + 1));

    for (guint e = 0; e < v->edges->len; e++)
      v->out_edges[fill[g_array_index (v->edges, Edge, e).from]++] = e;
  }
}

#define FOREACH_OUT_EDGE(v, n, edge) \
  for (guint _k = (v)->out_start[n]; \
       _k < (v)->out_start[(n) + 1] && \
       ((edge) = &g_array_index ((v)->edges, Edge, (v)->out_edges[_k]), TRUE); \
       _k++)

/* Pass 4a: the body of loop node @loop. The candidates are the nodes reachable from its
 * "body" port without passing through the loop itself; a candidate that is also entered
 * from outside (from the loop's other ports, or from a node that is not a candidate) is not
 * part of the body, and neither is what it leads to. What remains is the body: its edges
 * back into @loop are legal, its edges to anything else outside are problems. */
static void
analyse_loop (Validator *v,
              guint      loop)
{
  g_autofree gboolean *body = g_new0 (gboolean, v->n_nodes);
  g_autoptr(GArray) queue = g_array_new (FALSE, FALSE, sizeof (guint));
  Edge *edge;

  FOREACH_OUT_EDGE (v, loop, edge)
    {
      if (g_str_equal (edge->port, "body") && edge->to != loop && !body[edge->to])
        {
          body[edge->to] = TRUE;
          g_array_append_val (queue, edge->to);
        }
    }
  for (guint q = 0; q < queue->len; q++)
    {
      guint n = g_array_index (queue, guint, q);

      FOREACH_OUT_EDGE (v, n, edge)
        {
          if (edge->to != loop && !body[edge->to])
            {
              body[edge->to] = TRUE;
              g_array_append_val (queue, edge->to);
            }
        }
    }

  /* Drop candidates entered from outside, then, transitively, what they lead to: once a
   * node is outside, its edges into the candidates come from outside too. */
  g_array_set_size (queue, 0);
  for (guint e = 0; e < v->edges->len; e++)
    {
      gboolean from_inside;

      edge = &g_array_index (v->edges, Edge, e);
      if (!body[edge->to])
        continue;
      if (edge->from == loop)
        from_inside = g_str_equal (edge->port, "body");
      else
        from_inside = body[edge->from];
      if (!from_inside)
        {
          body[edge->to] = FALSE;
          g_array_append_val (queue, edge->to);
        }
    }
  while (queue->len > 0)
    {
      guint n = g_array_index (queue, guint, queue->len - 1);

      g_array_set_size (queue, queue->len - 1);
      FOREACH_OUT_EDGE (v, n, edge)
        {
          if (body[edge->to])
            {
              body[edge->to] = FALSE;
              g_array_append_val (queue, edge->to);
            }
        }
    }

  for (guint n = 0; n < v->n_nodes; n++)
    {
      if (!body[n])
        continue;
      v->in_loop_body[n] = TRUE;
      FOREACH_OUT_EDGE (v, n, edge)
        {
          if (edge->to == loop)
            edge->back = TRUE;
          else if (!body[edge->to])
            {
              g_autofree char *pointer = pointer_for ("connections", edge->connection, NULL);

              add_problem (v, pointer, _("connection from '%s' to '%s' leaves the body of loop "
                           "'%s'; a loop body can only be left through the loop's \"done\" "
                           "port"), v->ids[edge->from], v->ids[edge->to], v->ids[loop]);
            }
        }
    }
}

/* Pass 4b: cycles, by an iterative depth-first search (a recursive one could exhaust the
 * stack on a long generated chain) that ignores legal loop back edges. Each DFS back edge
 * closes one cycle; it is reported at that connection with the path around the cycle. */
static void
find_cycles (Validator *v)
{
  enum { WHITE, GREY, BLACK };
  g_autofree guint8 *colour = g_new0 (guint8, v->n_nodes);
  g_autofree guint *next_edge = g_new0 (guint, v->n_nodes);
  g_autofree guint *stack = g_new (guint, MAX (v->n_nodes, 1));

  for (guint n = 0; n < v->n_nodes; n++)
    next_edge[n] = v->out_start[n];

  for (guint root = 0; root < v->n_nodes; root++)
    {
      guint depth = 0;

      if (colour[root] != WHITE)
        continue;
      colour[root] = GREY;
      stack[depth++] = root;

      while (depth > 0)
        {
          guint n = stack[depth - 1];
          Edge *edge;

          if (next_edge[n] >= v->out_start[n + 1])
            {
              colour[n] = BLACK;
              depth--;
              continue;
            }
          edge = &g_array_index (v->edges, Edge, v->out_edges[next_edge[n]++]);
          if (edge->back)
            continue;

          if (colour[edge->to] == WHITE)
            {
              colour[edge->to] = GREY;
              stack[depth++] = edge->to;
            }
          else if (colour[edge->to] == GREY)
            {
              g_autoptr(GString) path = g_string_new (NULL);
              g_autofree char *pointer = pointer_for ("connections", edge->connection, NULL);
              guint start = depth;

              while (start > 0 && stack[start - 1] != edge->to)
                start--;
              g_assert (start > 0);
              for (guint k = start - 1; k < depth; k++)
                g_string_append_printf (path, "%s -> ", v->ids[stack[k]]);
              g_string_append (path, v->ids[edge->to]);
              /* Translators: %s is a chain of node ids, "a -> b -> a" */
              add_problem (v, pointer, _("cycle: %s"), path->str);
            }
        }
    }
}

/* TRUE when @locals (a JSON array of names, or NULL) holds @root. */
static gboolean
locals_contain (JsonArray  *locals,
                const char *root)
{
  for (guint i = 0; locals != NULL && i < json_array_get_length (locals); i++)
    {
      JsonNode *name = json_array_get_element (locals, i);

      if (node_is_string (name) && g_str_equal (json_node_get_string (name), root))
        return TRUE;
    }
  return FALSE;
}

/* Checks the roots @references point at; @in_loop allows item, index and loop, and
 * @locals the names the node itself provides to this expression (a schema's
 * "x-deca-locals", such as a branch case's "value"). */
static void
check_references (Validator  *v,
                  const char *pointer,
                  GPtrArray  *references,
                  gboolean    in_loop,
                  JsonArray  *locals)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < references->len; i++)
    {
      DecaExprReference *reference = references->pdata[i];
      const char *root = reference->root;

      if (root == NULL || !g_hash_table_add (seen, (gpointer) root))
        continue;
      if (strv_contains_n (global_roots, G_N_ELEMENTS (global_roots), root) || locals_contain (locals, root))
        continue;
      if (strv_contains_n (loop_roots, G_N_ELEMENTS (loop_roots), root))
        {
          if (!in_loop)
            add_problem (v, pointer, _("'%s' is only available inside a loop body"), root);
          continue;
        }
      if (lookup_node (v, root) < 0)
        add_problem (v, pointer, _("unknown reference '%s' (no node has this id)"), root);
    }
}

/* Parses @text as an expression (@is_expression) or a template and checks its references;
 * problems go to @pointer. */
static void
check_expression_text (Validator  *v,
                       const char *pointer,
                       const char *text,
                       gboolean    is_expression,
                       gboolean    in_loop,
                       JsonArray  *locals)
{
  g_autoptr(GPtrArray) references =
    g_ptr_array_new_with_free_func ((GDestroyNotify) deca_expr_reference_free);
  g_autoptr(GError) error = NULL;
  gsize offset = 0;

  if (is_expression)
    {
      g_autoptr(DecaExpr) expr = deca_expr_parse (text, &offset, &error);

      if (expr != NULL)
        deca_expr_collect_references (expr, references);
    }
  else
    {
      g_autoptr(DecaTemplate) tmpl = NULL;

      /* Plain text is by far the most common config string; skip the parser for it. */
      if (strstr (text, "{{") == NULL && strstr (text, "}}") == NULL)
        return;
      tmpl = deca_template_parse (text, &offset, &error);
      if (tmpl != NULL)
        deca_template_collect_references (tmpl, references);
    }

  if (error != NULL)
    {
      add_problem (v, pointer, "%s", error->message);
      return;
    }
  check_references (v, pointer, references, in_loop, locals);
}

static const char *
schema_format (JsonNode *schema)
{
  if (schema == NULL || !JSON_NODE_HOLDS_OBJECT (schema))
    return NULL;
  return deca_json_object_get_string (json_node_get_object (schema), "format");
}

/* Pass 5 for a node: every string of its config, recursively, with the subschema that
 * describes it (NULL when the schema says nothing, which means "template"). */
static void
walk_config (Validator *v,
             JsonNode  *value,
             JsonNode  *schema,
             GString   *pointer,
             gboolean   in_loop)
{
  gsize len = pointer->len;

  /* A raw template is evaluated by the node itself, which may well do so per item (the
   * "as" of a transform's map); that holds for everything beneath it. */
  if (g_strcmp0 (schema_format (schema), "template-raw") == 0)
    in_loop = TRUE;

  if (JSON_NODE_HOLDS_OBJECT (value))
    {
      g_autoptr(GList) members = json_object_get_members (json_node_get_object (value));

      for (GList *l = members; l != NULL; l = l->next)
        {
          deca_json_pointer_append (pointer, l->data);
          walk_config (v, json_object_get_member (json_node_get_object (value), l->data),
                       deca_schema_get_property (schema, l->data), pointer, in_loop);
          g_string_truncate (pointer, len);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *array = json_node_get_array (value);
      JsonNode *items = deca_schema_get_items (schema);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_string_append_printf (pointer, "/%u", i);
          walk_config (v, json_array_get_element (array, i), items, pointer, in_loop);
          g_string_truncate (pointer, len);
        }
    }
  else if (node_is_string (value))
    {
      gboolean is_expression = g_strcmp0 (schema_format (schema), "expression") == 0;
      JsonNode *locals = schema && JSON_NODE_HOLDS_OBJECT (schema)
                         ? json_object_get_member (json_node_get_object (schema), "x-deca-locals") : NULL;

      check_expression_text (v, pointer->str, json_node_get_string (value), is_expression,
                             in_loop, locals && JSON_NODE_HOLDS_ARRAY (locals) ? json_node_get_array (locals) : NULL);
    }
}

static void
validate_expressions (Validator *v)
{
  for (guint i = 0; i < v->n_nodes; i++)
    {
      JsonObject *node = get_object_element (v->nodes, i);
      JsonNode *config = node ? json_object_get_member (node, "config") : NULL;
      g_autoptr(GString) pointer = NULL;
      JsonNode *schema = NULL;

      if (config == NULL || !JSON_NODE_HOLDS_OBJECT (config))
        continue;
      if (v->types[i] != NULL)
        schema = deca_node_type_get_config_schema (v->types[i]);
      pointer = g_string_new (NULL);
      g_string_printf (pointer, "/nodes/%u/config", i);
      walk_config (v, config, schema, pointer, v->in_loop_body[i]);
    }

  for (guint i = 0; i < v->n_connections; i++)
    {
      JsonObject *connection = get_object_element (v->connections, i);
      const char *condition = deca_json_object_get_string (connection, "condition");
      g_autofree char *pointer = NULL;
      gboolean in_loop = FALSE;

      if (condition == NULL)
        continue;

      /* A condition inside a body, or on the loop's own "body" port, runs per item. */
      if (v->edge_of_connection[i] >= 0)
        {
          Edge *edge = &g_array_index (v->edges, Edge, v->edge_of_connection[i]);

          in_loop = v->in_loop_body[edge->from] ||
                    (v->types[edge->from] != NULL &&
                     deca_node_type_get_kind (v->types[edge->from]) == DECA_NODE_KIND_LOOP &&
                     g_str_equal (edge->port, "body"));
        }
      pointer = pointer_for ("connections", i, "condition");
      check_expression_text (v, pointer, condition, TRUE, in_loop, NULL);
    }
}

/* The schema trigger @type is checked against: its node type's config schema when the
 * registry has it (the studio's forms and the server read the same one, with every option:
 * a webhook's auth and response_timeout, a schedule's missed-run policy), else the minimal
 * one above, for registries without the trigger types. */
static JsonNode *
get_trigger_type_schema (Validator *v,
                         guint      kind)
{
  DecaNodeType *node_type = deca_node_registry_lookup (v->registry, trigger_schemas[kind].type);

  if (node_type != NULL && deca_node_type_get_kind (node_type) == DECA_NODE_KIND_TRIGGER)
    return deca_node_type_get_config_schema (node_type);
  return get_trigger_schema (kind);
}

static gboolean
has_problem_at (GPtrArray  *problems,
                const char *pointer)
{
  for (guint k = 0; k < problems->len; k++)
    {
      if (g_str_equal (((DecaValidationProblem *) problems->pdata[k])->pointer, pointer))
        return TRUE;
    }
  return FALSE;
}

/* Pass 6, for trigger @i: its type's schema, then what a schema cannot say (a relative
 * path, cron syntax, time zones, topic patterns). Where both speak of one member, the
 * specific message wins: "must start with '/'" rather than the path's pattern. */
static void
validate_trigger (Validator  *v,
                  JsonArray  *triggers,
                  guint       i)
{
  JsonNode *trigger_node = json_array_get_element (triggers, i);
  JsonObject *trigger = get_object_element (triggers, i);
  g_autofree char *prefix = pointer_for ("triggers", i, NULL);
  const char *type = deca_json_object_get_string (trigger, "type");
  g_autoptr(GPtrArray) shape = NULL;
  g_autoptr(GPtrArray) semantic = NULL;
  guint kind;

  if (type == NULL)
    return;
  for (kind = 0; kind < G_N_ELEMENTS (trigger_schemas); kind++)
    {
      if (g_str_equal (type, trigger_schemas[kind].type))
        break;
    }
  if (kind == G_N_ELEMENTS (trigger_schemas))
    return;  /* the flow schema's enum reported it */

  /* Triggers are not rendered: a "{{" in them is text, not a template. */
  shape = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
  deca_validate_against_schema_full (get_trigger_type_schema (v, kind), trigger_node, prefix,
                                     DECA_SCHEMA_CHECK_NO_TEMPLATES, shape);

  semantic = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
  if (g_str_equal (type, "webhook"))
    {
      const char *path = deca_json_object_get_string (trigger, "path");

      g_autofree char *pointer = pointer_for ("triggers", i, "path");

      /* Plainer words for what the path's pattern (^/[^?#]) and minimum length refuse. */
      if (path != NULL && path[0] != '/')
        g_ptr_array_add (semantic, deca_validation_problem_new (pointer, "%s",
                                                                _("must start with '/'")));
      else if (path != NULL && (path[1] == '\0' || path[1] == '?' || path[1] == '#'))
        g_ptr_array_add (semantic, deca_validation_problem_new (pointer, "%s",
                         _("must name a path after the '/', such as /orders")));
    }
  else if (g_str_equal (type, "schedule"))
    {
      const char *cron_text = deca_json_object_get_string (trigger, "cron");
      const char *timezone = deca_json_object_get_string (trigger, "timezone");

      /* An empty expression is the schema's "must not be empty". */
      if (cron_text != NULL && cron_text[0] != '\0')
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(DecaCron) cron = deca_cron_parse (cron_text, &error);

          if (cron == NULL)
            {
              g_autofree char *pointer = pointer_for ("triggers", i, "cron");
              g_ptr_array_add (semantic, deca_validation_problem_new (pointer, "%s",
                                                                      error->message));
            }
        }
      if (timezone != NULL)
        {
          /* GLib takes "" to mean the local zone; a flow must say which one it means. */
          g_autoptr(GTimeZone) tz = timezone[0] ? g_time_zone_new_identifier (timezone) : NULL;

          if (tz == NULL)
            {
              g_autofree char *pointer = pointer_for ("triggers", i, "timezone");
              g_ptr_array_add (semantic, deca_validation_problem_new (pointer,
                               _("unknown time zone '%s' (expected an IANA name such as "
                                 "Europe/Berlin or UTC)"), timezone));
            }
        }
    }
  else if (g_str_equal (type, "event"))
    {
      const char *pattern = deca_json_object_get_string (trigger, "event");
      g_autoptr(GError) error = NULL;

      /* An empty name is the schema's "must not be empty". */
      if (pattern != NULL && pattern[0] != '\0' && !deca_topic_pattern_validate (pattern, &error))
        {
          g_autofree char *pointer = pointer_for ("triggers", i, "event");
          g_ptr_array_add (semantic, deca_validation_problem_new (pointer, "%s", error->message));
        }
    }

  for (guint k = 0; k < shape->len; k++)
    {
      DecaValidationProblem *problem = shape->pdata[k];

      if (!has_problem_at (semantic, problem->pointer))
        g_ptr_array_add (v->problems, g_steal_pointer (&shape->pdata[k]));
    }
  for (guint k = 0; k < semantic->len; k++)
    g_ptr_array_add (v->problems, g_steal_pointer (&semantic->pdata[k]));
}

static void
validate_flow (Validator *v,
               JsonNode  *root)
{
  JsonObject *flow;
  JsonNode *member;

  deca_validate_against_schema_full (get_flow_schema (), root, "",
                                     DECA_SCHEMA_CHECK_NO_TEMPLATES, v->problems);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return;
  flow = json_node_get_object (root);

  member = json_object_get_member (flow, "nodes");
  if (member != NULL && JSON_NODE_HOLDS_ARRAY (member))
    v->nodes = json_node_get_array (member);
  member = json_object_get_member (flow, "connections");
  if (member != NULL && JSON_NODE_HOLDS_ARRAY (member))
    v->connections = json_node_get_array (member);

  v->n_nodes = v->nodes ? json_array_get_length (v->nodes) : 0;
  v->ids = g_new0 (const char *, v->n_nodes);
  v->types = g_new0 (DecaNodeType *, v->n_nodes);
  v->configs = g_new0 (JsonObject *, v->n_nodes);
  v->in_loop_body = g_new0 (gboolean, v->n_nodes);

  for (guint i = 0; i < v->n_nodes; i++)
    validate_node (v, i);

  v->n_connections = v->connections ? json_array_get_length (v->connections) : 0;
  for (guint i = 0; i < v->n_connections; i++)
    validate_connection (v, i);
  index_edges (v);

  for (guint i = 0; i < v->n_nodes; i++)
    {
      if (v->types[i] != NULL && v->ids[i] != NULL &&
          deca_node_type_get_kind (v->types[i]) == DECA_NODE_KIND_LOOP)
        analyse_loop (v, i);
    }
  find_cycles (v);

  validate_expressions (v);

  member = json_object_get_member (flow, "triggers");
  if (member != NULL && JSON_NODE_HOLDS_ARRAY (member))
    {
      JsonArray *triggers = json_node_get_array (member);

      for (guint i = 0; i < json_array_get_length (triggers); i++)
        validate_trigger (v, triggers, i);
    }
}

/*
 * deca_validate_flow_json:
 * Validates the parsed flow @root against @registry's node types. Returns (transfer full)
 * (element-type DecaValidationProblem) every problem found, in pass order; an empty array
 * means the flow is valid. @root is only read.
 */
GPtrArray *
deca_validate_flow_json (JsonNode         *root,
                         DecaNodeRegistry *registry)
{
  GPtrArray *problems =
    g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
  Validator v = { 0 };

  g_return_val_if_fail (DECA_IS_NODE_REGISTRY (registry), problems);

  if (root == NULL)
    {
      g_ptr_array_add (problems, deca_validation_problem_new ("", _("the document is empty")));
      return problems;
    }

  v.registry = registry;
  v.problems = problems;
  v.index_of = g_hash_table_new (g_str_hash, g_str_equal);
  v.edges = g_array_new (FALSE, FALSE, sizeof (Edge));
  v.owned = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  validate_flow (&v, root);

  g_free (v.ids);
  g_free (v.types);
  g_free (v.configs);
  g_free (v.in_loop_body);
  g_free (v.out_start);
  g_free (v.out_edges);
  g_free (v.edge_of_connection);
  g_hash_table_unref (v.index_of);
  g_array_unref (v.edges);
  g_ptr_array_unref (v.owned);
  return problems;
}

/* Line and column (1-based, columns in characters) of byte @offset of @data. */
static void
position_of (const char *data,
             gsize       length,
             gsize       offset,
             guint      *line,
             guint      *column)
{
  *line = 1;
  *column = 1;
  for (gsize i = 0; i < offset && i < length; i++)
    {
      if (data[i] == '\n')
        {
          (*line)++;
          *column = 1;
        }
      else if (((guchar) data[i] & 0xC0) != 0x80)
        (*column)++;
    }
}

/* Turns json-glib's "<data>:3:14: Parse error: unexpected ..." into "line 3, column 14:
 * unexpected ...". Messages without a position (bad UTF-8) get one computed here. */
static char *
describe_parse_error (const char   *data,
                      gsize         length,
                      const GError *error)
{
  static GRegex *regex;
  g_autoptr(GMatchInfo) match = NULL;
  const char *invalid = NULL;
  guint line, column;

  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex, g_regex_new (":(\\d+):(\\d+):\\s*(?:Parse error:\\s*)?(.*)$",
                                                    G_REGEX_DOTALL, 0, NULL));

  if (g_regex_match (regex, error->message, 0, &match))
    {
      g_autofree char *line_text = g_match_info_fetch (match, 1);
      g_autofree char *column_text = g_match_info_fetch (match, 2);
      g_autofree char *what = g_match_info_fetch (match, 3);

      /* Translators: the last %s is the JSON parser's own message */
      return g_strdup_printf (_("line %s, column %s: %s"), line_text, column_text, what);
    }

  if (!g_utf8_validate (data, length, &invalid))
    {
      position_of (data, length, invalid - data, &line, &column);
      return g_strdup_printf (_("line %u, column %u: the document is not valid UTF-8"),
                              line, column);
    }

  return g_strdup_printf (_("line 1, column 1: %s"), error->message);
}

/*
 * deca_validate_flow_data:
 * Parses and validates the flow text @data (@length -1 when NUL-terminated; NULL counts
 * as empty). A document that is not JSON gives exactly one problem, at pointer "", whose
 * message starts "line L, column C:". Returns (transfer full) the problems.
 */
GPtrArray *
deca_validate_flow_data (const char       *data,
                         gssize            length,
                         DecaNodeRegistry *registry)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *problems;
  gsize size, offset;
  gboolean blank = TRUE;

  g_return_val_if_fail (DECA_IS_NODE_REGISTRY (registry), NULL);

  if (data == NULL)
    data = "";
  size = length < 0 ? strlen (data) : (gsize) length;

  for (gsize i = 0; i < size && blank; i++)
    blank = g_ascii_isspace (data[i]);
  if (blank)
    {
      problems = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
      g_ptr_array_add (problems, deca_validation_problem_new (
                         "", _("line 1, column 1: the document is empty (expected a JSON object)")));
      return problems;
    }

  if (deca_json_text_too_deep (data, size, MAX_JSON_DEPTH, &offset))
    {
      guint line, column;

      position_of (data, size, offset, &line, &column);
      problems = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
      g_ptr_array_add (problems, deca_validation_problem_new (
                         "", _("line %u, column %u: nesting is deeper than %d levels"),
                         line, column, MAX_JSON_DEPTH));
      return problems;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, size, &error))
    {
      g_autofree char *message = describe_parse_error (data, size, error);

      problems = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_validation_problem_free);
      g_ptr_array_add (problems, deca_validation_problem_new ("", "%s", message));
      return problems;
    }

  return deca_validate_flow_json (json_parser_get_root (parser), registry);
}
