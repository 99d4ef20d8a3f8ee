/* The plan: what the executor derives once per flow (and registry) and then shares among
 * all executions of that flow: node types, compiled templates and conditions, edges,
 * loop bodies. Part of DecaExecutor (deca-executor-private.h). */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "deca-executor-private.h"
#include "deca-engine-error.h"

static void
compiled_value_free (CompiledValue *value)
{
  if (value == NULL)
    return;
  g_clear_pointer (&value->constant, json_node_unref);
  g_clear_pointer (&value->tmpl, deca_template_unref);
  for (guint i = 0; i < value->n_children; i++)
    compiled_value_free (value->children[i]);
  g_free (value->children);
  g_strfreev (value->names);
  g_free (value);
}

/* Looks up the sub-schema for member @name of an object schema, or NULL. */
static JsonObject *
schema_member (JsonObject *schema,
               const char *name)
{
  JsonNode *properties, *property, *additional;

  if (schema == NULL)
    return NULL;
  properties = json_object_get_member (schema, "properties");
  if (properties != NULL && JSON_NODE_HOLDS_OBJECT (properties))
    {
      property = json_object_get_member (json_node_get_object (properties), name);
      if (property != NULL && JSON_NODE_HOLDS_OBJECT (property))
        return json_node_get_object (property);
    }
  additional = json_object_get_member (schema, "additionalProperties");
  if (additional != NULL && JSON_NODE_HOLDS_OBJECT (additional))
    return json_node_get_object (additional);
  return NULL;
}

static JsonObject *
schema_items (JsonObject *schema)
{
  JsonNode *items = schema ? json_object_get_member (schema, "items") : NULL;

  return items != NULL && JSON_NODE_HOLDS_OBJECT (items) ? json_node_get_object (items) : NULL;
}

/* Strings whose schema says "format": "expression" or "template-raw" are evaluated by the
 * node itself, so the executor leaves them as written. */
static gboolean
schema_is_raw (JsonObject *schema)
{
  const char *format;

  if (schema == NULL || !json_object_has_member (schema, "format"))
    return FALSE;
  format = json_object_get_string_member_with_default (schema, "format", "");
  return g_str_equal (format, "expression") || g_str_equal (format, "template-raw");
}

static void
collect_credentials (GPtrArray *references,
                     GPtrArray *names)
{
  for (guint i = 0; i < references->len; i++)
    {
      DecaExprReference *reference = g_ptr_array_index (references, i);
      g_auto(GStrv) parts = NULL;

      if (!g_str_equal (reference->root, "credentials"))
        continue;
      parts = g_strsplit (reference->path, ".", 3);
      if (parts[0] != NULL && parts[1] != NULL &&
          !g_ptr_array_find_with_equal_func (names, parts[1], g_str_equal, NULL))
        g_ptr_array_add (names, g_strdup (parts[1]));
    }
}

/* Compiles @value under @schema. Returns NULL when it holds no template (the caller then
 * copies the value), or sets @error for a template that does not parse. */
static CompiledValue *
compile_value (JsonNode    *value,
               JsonObject  *schema,
               GPtrArray   *credential_names,
               const char  *pointer,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (schema_is_raw (schema))
    return NULL;

  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
    {
      g_autoptr(DecaTemplate) tmpl = deca_template_parse (json_node_get_string (value), NULL, &local_error);
      g_autoptr(GPtrArray) references = NULL;
      CompiledValue *compiled;

      if (tmpl == NULL)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_EXPRESSION,
                       "%s: %s", pointer, local_error->message);
          return NULL;
        }
      if (deca_template_is_constant (tmpl))
        return NULL;
      references = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_expr_reference_free);
      deca_template_collect_references (tmpl, references);
      collect_credentials (references, credential_names);
      compiled = g_new0 (CompiledValue, 1);
      compiled->kind = VALUE_TEMPLATE;
      compiled->tmpl = g_steal_pointer (&tmpl);
      return compiled;
    }

  if (JSON_NODE_HOLDS_OBJECT (value) || JSON_NODE_HOLDS_ARRAY (value))
    {
      gboolean is_object = JSON_NODE_HOLDS_OBJECT (value);
      g_autoptr(GList) members = is_object ? json_object_get_members (json_node_get_object (value)) : NULL;
      guint n = is_object ? g_list_length (members) : json_array_get_length (json_node_get_array (value));
      CompiledValue *compiled = g_new0 (CompiledValue, 1);
      gboolean any = FALSE;
      GList *l = members;

      compiled->kind = is_object ? VALUE_OBJECT : VALUE_ARRAY;
      compiled->n_children = n;
      compiled->children = g_new0 (CompiledValue *, n);
      if (is_object)
        compiled->names = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *child_pointer = NULL;
          JsonNode *child;
          JsonObject *child_schema;

          if (is_object)
            {
              const char *name = l->data;

              l = l->next;
              compiled->names[i] = g_strdup (name);
              child = json_object_get_member (json_node_get_object (value), name);
              child_schema = schema_member (schema, name);
              child_pointer = g_strdup_printf ("%s/%s", pointer, name);
            }
          else
            {
              child = json_array_get_element (json_node_get_array (value), i);
              child_schema = schema_items (schema);
              child_pointer = g_strdup_printf ("%s/%u", pointer, i);
            }
          compiled->children[i] = compile_value (child, child_schema, credential_names, child_pointer, &local_error);
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              compiled_value_free (compiled);
              return NULL;
            }
          if (compiled->children[i] != NULL)
            any = TRUE;
          else
            {
              compiled->children[i] = g_new0 (CompiledValue, 1);
              compiled->children[i]->kind = VALUE_CONSTANT;
              compiled->children[i]->constant = json_node_copy (child);
            }
        }
      if (!any)
        {
          compiled_value_free (compiled);
          return NULL;
        }
      return compiled;
    }
  return NULL;
}

/* Renders @compiled. Returns (transfer full) or NULL with @error. */
JsonNode *
_deca_compiled_value_render (CompiledValue       *compiled,
                             const DecaExprScope *scope,
                             GError             **error)
{
  switch (compiled->kind)
    {
    case VALUE_CONSTANT:
      return json_node_copy (compiled->constant);
    case VALUE_TEMPLATE:
      return deca_template_render (compiled->tmpl, scope, error);
    case VALUE_OBJECT:
      {
        JsonObject *object = json_object_new ();
        JsonNode *node = json_node_new (JSON_NODE_OBJECT);

        json_node_take_object (node, object);
        for (guint i = 0; i < compiled->n_children; i++)
          {
            JsonNode *child = _deca_compiled_value_render (compiled->children[i], scope, error);

            if (child == NULL)
              {
                g_prefix_error (error, "%s: ", compiled->names[i]);
                json_node_unref (node);
                return NULL;
              }
            json_object_set_member (object, compiled->names[i], child);
          }
        return node;
      }
    case VALUE_ARRAY:
      {
        JsonArray *array = json_array_sized_new (compiled->n_children);
        JsonNode *node = json_node_new (JSON_NODE_ARRAY);

        json_node_take_array (node, array);
        for (guint i = 0; i < compiled->n_children; i++)
          {
            JsonNode *child = _deca_compiled_value_render (compiled->children[i], scope, error);

            if (child == NULL)
              {
                g_prefix_error (error, "[%u]: ", i);
                json_node_unref (node);
                return NULL;
              }
            json_array_add_element (array, child);
          }
        return node;
      }
    default:
      g_assert_not_reached ();
    }
}

void
_deca_plan_free (DecaPlan *plan)
{
  if (plan == NULL)
    return;
  for (guint i = 0; i < plan->n_nodes; i++)
    {
      compiled_value_free (plan->nodes[i].config);
      g_clear_pointer (&plan->nodes[i].out_edges, g_array_unref);
      g_clear_pointer (&plan->nodes[i].entry_edges, g_array_unref);
    }
  for (guint i = 0; i < plan->n_edges; i++)
    {
      g_free (plan->edges[i].from_port);
      g_clear_pointer (&plan->edges[i].condition, deca_expr_unref);
    }
  g_free (plan->nodes);
  g_free (plan->edges);
  g_clear_pointer (&plan->index_by_id, g_hash_table_unref);
  g_clear_pointer (&plan->credential_names, g_ptr_array_unref);
  g_clear_object (&plan->registry);
  g_free (plan);
}

int
_deca_plan_index (DecaPlan   *plan,
                  const char *id)
{
  return (int) GPOINTER_TO_UINT (g_hash_table_lookup (plan->index_by_id, id)) - 1;
}

/* Marks the body of loop @loop: every node reachable from its "body" port without passing
 * through the loop node. @depth counts how many bodies hold each node, so that the
 * innermost loop wins. */
static void
plan_mark_body (DecaPlan *plan,
                guint     loop,
                guint    *body_size,
                gboolean *in_body)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint));

  memset (in_body, 0, sizeof (gboolean) * plan->n_nodes);
  for (guint e = 0; e < plan->n_edges; e++)
    if (plan->edges[e].from == loop && g_strcmp0 (plan->edges[e].from_port, "body") == 0)
      g_array_append_val (stack, plan->edges[e].to);

  *body_size = 0;
  while (stack->len > 0)
    {
      guint n = g_array_index (stack, guint, stack->len - 1);

      g_array_set_size (stack, stack->len - 1);
      if (n == loop || in_body[n])
        continue;
      in_body[n] = TRUE;
      (*body_size)++;
      for (guint e = 0; e < plan->n_edges; e++)
        if (plan->edges[e].from == n)
          g_array_append_val (stack, plan->edges[e].to);
    }
}

/* Kahn's algorithm over the non-back edges: a leftover node means a cycle the validator
 * would have reported. The executor checks it too, because a cycle would otherwise leave
 * an execution waiting forever. */
static gboolean
plan_check_acyclic (DecaPlan  *plan,
                    GError   **error)
{
  g_autofree guint *in_degree = g_new0 (guint, plan->n_nodes);
  g_autoptr(GArray) queue = g_array_new (FALSE, FALSE, sizeof (guint));
  guint seen = 0;

  for (guint e = 0; e < plan->n_edges; e++)
    if (!plan->edges[e].back_edge)
      in_degree[plan->edges[e].to]++;
  for (guint n = 0; n < plan->n_nodes; n++)
    if (in_degree[n] == 0)
      g_array_append_val (queue, n);
  for (guint q = 0; q < queue->len; q++)
    {
      guint n = g_array_index (queue, guint, q);

      seen++;
      for (guint e = 0; e < plan->n_edges; e++)
        if (!plan->edges[e].back_edge && plan->edges[e].from == n && --in_degree[plan->edges[e].to] == 0)
          g_array_append_val (queue, plan->edges[e].to);
    }
  if (seen < plan->n_nodes)
    {
      for (guint n = 0; n < plan->n_nodes; n++)
        if (in_degree[n] > 0)
          {
            g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                         _("node '%s' is on a cycle; `deca validate` shows where"),
                         plan->nodes[n].node->id);
            return FALSE;
          }
    }
  return TRUE;
}

static gboolean
plan_compile_edges (DecaPlan  *plan,
                    DecaFlow  *flow,
                    GError   **error)
{
  plan->n_edges = deca_flow_get_n_connections (flow);
  plan->edges = g_new0 (PlanEdge, plan->n_edges);
  for (guint e = 0; e < plan->n_edges; e++)
    {
      const DecaFlowConnection *connection = deca_flow_get_connection (flow, e);
      PlanEdge *edge = &plan->edges[e];
      g_autoptr(GError) local_error = NULL;

      edge->from = (guint) _deca_plan_index (plan, connection->from);
      edge->to = (guint) _deca_plan_index (plan, connection->to);
      edge->on_error = connection->on_error;
      edge->from_port = g_strdup (connection->from_port ? connection->from_port
                                  : deca_node_type_get_default_port (plan->nodes[edge->from].type));
      if (connection->condition != NULL)
        {
          g_autoptr(GPtrArray) references = g_ptr_array_new_with_free_func ((GDestroyNotify) deca_expr_reference_free);

          edge->condition = deca_expr_parse (connection->condition, NULL, &local_error);
          if (edge->condition == NULL)
            {
              g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_EXPRESSION,
                           "/connections/%u/condition: %s", e, local_error->message);
              return FALSE;
            }
          deca_expr_collect_references (edge->condition, references);
          collect_credentials (references, plan->credential_names);
        }
      if (edge->on_error)
        plan->nodes[edge->from].has_on_error = TRUE;
    }
  return TRUE;
}

static gboolean
plan_compile_bodies (DecaPlan  *plan,
                     GError   **error)
{
  g_autofree guint *owner_size = g_new0 (guint, plan->n_nodes);
  g_autofree gboolean *in_body = g_new0 (gboolean, plan->n_nodes);

  for (guint n = 0; n < plan->n_nodes; n++)
    plan->nodes[n].owner = -1;
  for (guint loop = 0; loop < plan->n_nodes; loop++)
    {
      guint size;

      if (plan->nodes[loop].kind != DECA_NODE_KIND_LOOP)
        continue;
      plan_mark_body (plan, loop, &size, in_body);
      for (guint n = 0; n < plan->n_nodes; n++)
        if (in_body[n] && (plan->nodes[n].owner < 0 || size < owner_size[n]))
          {
            plan->nodes[n].owner = (int) loop;
            owner_size[n] = size;
          }
    }

  for (guint e = 0; e < plan->n_edges; e++)
    {
      PlanEdge *edge = &plan->edges[e];
      PlanNode *from = &plan->nodes[edge->from];
      PlanNode *to = &plan->nodes[edge->to];

      if (to->kind == DECA_NODE_KIND_LOOP && from->owner == (int) edge->to)
        edge->back_edge = TRUE;
      else if (from->kind == DECA_NODE_KIND_LOOP && g_str_equal (edge->from_port, "body"))
        edge->body_entry = TRUE;
      else if (from->owner != to->owner)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_INVALID,
                       _("/connections/%u: a connection from '%s' to '%s' crosses a loop body; "
                       "a body is left only through its loop's \"done\" port"),
                       e, from->node->id, to->node->id);
          return FALSE;
        }
    }
  return TRUE;
}

static void
plan_link (DecaPlan *plan)
{
  for (guint n = 0; n < plan->n_nodes; n++)
    {
      plan->nodes[n].out_edges = g_array_new (FALSE, FALSE, sizeof (guint));
      plan->nodes[n].entry_edges = g_array_new (FALSE, FALSE, sizeof (guint));
    }
  for (guint e = 0; e < plan->n_edges; e++)
    {
      PlanEdge *edge = &plan->edges[e];

      if (edge->back_edge)
        {
          plan->nodes[edge->from].is_result = TRUE;
          continue;
        }
      plan->nodes[edge->to].n_in++;
      if (edge->body_entry)
        g_array_append_val (plan->nodes[edge->from].entry_edges, e);
      else
        g_array_append_val (plan->nodes[edge->from].out_edges, e);
    }
  for (guint n = 0; n < plan->n_nodes; n++)
    plan->nodes[n].is_sink = plan->nodes[n].out_edges->len == 0;
}

DecaPlan *
_deca_plan_new (DecaFlow          *flow,
                DecaNodeRegistry  *registry,
                GError           **error)
{
  DecaPlan *plan = g_new0 (DecaPlan, 1);
  g_autoptr(GError) local_error = NULL;

  plan->registry = g_object_ref (registry);
  plan->n_nodes = deca_flow_get_n_nodes (flow);
  plan->nodes = g_new0 (PlanNode, plan->n_nodes);
  plan->index_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  plan->credential_names = g_ptr_array_new_with_free_func (g_free);

  for (guint n = 0; n < plan->n_nodes; n++)
    {
      const DecaFlowNode *node = deca_flow_get_node (flow, n);
      PlanNode *plan_node = &plan->nodes[n];
      JsonNode *schema;
      g_autoptr(JsonNode) config = NULL;
      g_autofree char *pointer = g_strdup_printf ("/nodes/%u/config", n);

      plan_node->node = node;
      plan_node->type = deca_node_registry_lookup (registry, node->type);
      if (plan_node->type == NULL)
        {
          g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_NOT_FOUND,
                       _("/nodes/%u/type: unknown node type '%s'"), n, node->type);
          goto fail;
        }
      plan_node->kind = deca_node_type_get_kind (plan_node->type);
      plan_node->replayable = deca_node_type_is_replayable (plan_node->type);
      schema = deca_node_type_get_config_schema (plan_node->type);
      config = json_node_init_object (json_node_alloc (), node->config);
      plan_node->config = compile_value (config, JSON_NODE_HOLDS_OBJECT (schema) ? json_node_get_object (schema) : NULL,
                                         plan->credential_names, pointer, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto fail;
        }
      g_hash_table_insert (plan->index_by_id, node->id, GUINT_TO_POINTER (n + 1));
    }

  if (!plan_compile_edges (plan, flow, error) ||
      !plan_compile_bodies (plan, error))
    goto fail;
  plan_link (plan);
  if (!plan_check_acyclic (plan, error))
    goto fail;
  return plan;

fail:
  _deca_plan_free (plan);
  return NULL;
}

