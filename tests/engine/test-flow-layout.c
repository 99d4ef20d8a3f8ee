/* test-flow-layout.c: automatic layered layout of flow documents. */

#include <glib.h>
#include <json-glib/json-glib.h>

#include "deca-engine-error.h"
#include "deca-flow-layout.h"
#include "deca-json.h"

/* Builds a flow document from @nodes (a NULL-terminated list of ids) and @pairs
 * (NULL-terminated "from", "to" pairs). */
static JsonNode *
build_flow (const char * const *nodes,
            const char * const *pairs)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, "layout");
  json_builder_set_member_name (builder, "nodes");
  json_builder_begin_array (builder);
  for (guint i = 0; nodes[i] != NULL; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, nodes[i]);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "transform");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "connections");
  json_builder_begin_array (builder);
  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i += 2)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "from");
      json_builder_add_string_value (builder, pairs[i]);
      json_builder_set_member_name (builder, "to");
      json_builder_add_string_value (builder, pairs[i + 1]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = deca_json_parse (text, -1, &error);

  g_assert_no_error (error);
  return node;
}

static void
layout_ok (JsonNode                    *flow,
           const DecaFlowLayoutOptions *options)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (deca_flow_layout_layered (flow, options, &error));
  g_assert_no_error (error);
}

static JsonObject *
find_node (JsonNode   *flow,
           const char *id)
{
  JsonArray *nodes = json_object_get_array_member (json_node_get_object (flow), "nodes");

  for (guint i = 0; i < json_array_get_length (nodes); i++)
    {
      JsonObject *node;

      if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (nodes, i)))
        continue;
      node = json_array_get_object_element (nodes, i);
      if (g_strcmp0 (json_object_get_string_member_with_default (node, "id", ""), id) == 0)
        return node;
    }
  g_assert_not_reached ();
}

static double
pos_x (JsonNode   *flow,
       const char *id)
{
  JsonObject *position = json_object_get_object_member (find_node (flow, id), "position");

  g_assert_nonnull (position);
  return json_object_get_double_member (position, "x");
}

static double
pos_y (JsonNode   *flow,
       const char *id)
{
  JsonObject *position = json_object_get_object_member (find_node (flow, id), "position");

  g_assert_nonnull (position);
  return json_object_get_double_member (position, "y");
}

/* Asserts that every node has a position and that no two cards of @options' size
 * overlap. */
static void
assert_no_overlap (JsonNode                    *flow,
                   const DecaFlowLayoutOptions *options)
{
  JsonArray *nodes = json_object_get_array_member (json_node_get_object (flow), "nodes");
  guint n = json_array_get_length (nodes);
  g_autofree double *x = g_new (double, n);
  g_autofree double *y = g_new (double, n);

  for (guint i = 0; i < n; i++)
    {
      JsonObject *node = json_array_get_object_element (nodes, i);
      JsonObject *position = json_object_get_object_member (node, "position");

      g_assert_nonnull (position);
      x[i] = json_object_get_double_member (position, "x");
      y[i] = json_object_get_double_member (position, "y");
    }
  for (guint i = 0; i < n; i++)
    {
      for (guint j = i + 1; j < n; j++)
        {
          /* Cards that touch are apart; the slack absorbs rounding with fractional sizes. */
          const double slack = 1e-6;
          gboolean apart = x[i] + options->node_width <= x[j] + slack ||
                           x[j] + options->node_width <= x[i] + slack ||
                           y[i] + options->node_height <= y[j] + slack ||
                           y[j] + options->node_height <= y[i] + slack;

          if (!apart)
            g_error ("nodes %u and %u overlap: (%g, %g) and (%g, %g)", i, j, x[i], y[i], x[j],
                     y[j]);
        }
    }
}

static void
test_chain (void)
{
  const char *nodes[] = { "a", "b", "c", "d", NULL };
  const char *pairs[] = { "a", "b", "b", "c", "c", "d", NULL };
  g_autoptr(JsonNode) flow = build_flow (nodes, pairs);
  DecaFlowLayoutOptions options;

  deca_flow_layout_options_init (&options);
  layout_ok (flow, &options);

  g_assert_cmpfloat (pos_x (flow, "a"), ==, 0);
  g_assert_cmpfloat (pos_x (flow, "b"), ==, options.node_width + options.layer_gap);
  g_assert_cmpfloat (pos_x (flow, "c"), >, pos_x (flow, "b"));
  g_assert_cmpfloat (pos_x (flow, "d"), >, pos_x (flow, "c"));
  g_assert_cmpfloat (pos_y (flow, "a"), ==, 0);
  g_assert_cmpfloat (pos_y (flow, "b"), ==, pos_y (flow, "a"));
  g_assert_cmpfloat (pos_y (flow, "c"), ==, pos_y (flow, "a"));
  g_assert_cmpfloat (pos_y (flow, "d"), ==, pos_y (flow, "a"));
}

static void
test_diamond (void)
{
  const char *nodes[] = { "d", "c", "b", "a", NULL };
  const char *pairs[] = { "a", "b", "a", "c", "b", "d", "c", "d", NULL };
  g_autoptr(JsonNode) flow = build_flow (nodes, pairs);
  DecaFlowLayoutOptions options;

  deca_flow_layout_options_init (&options);
  layout_ok (flow, &options);

  g_assert_cmpfloat (pos_x (flow, "a"), <, pos_x (flow, "b"));
  g_assert_cmpfloat (pos_x (flow, "b"), ==, pos_x (flow, "c"));
  g_assert_cmpfloat (pos_x (flow, "d"), >, pos_x (flow, "b"));
  g_assert_cmpfloat (pos_y (flow, "b"), !=, pos_y (flow, "c"));
  /* The single nodes of the outer layers sit midway between the two middle ones. */
  g_assert_cmpfloat (pos_y (flow, "a"), ==, (pos_y (flow, "b") + pos_y (flow, "c")) / 2);
  g_assert_cmpfloat (pos_y (flow, "d"), ==, pos_y (flow, "a"));
  assert_no_overlap (flow, &options);
}

/* a branches to b (then c) and to d; c and d join in e. The join waits for the longer
 * branch, so e is in the layer after c, and d shares a layer with b. */
static void
test_branch_join (void)
{
  const char *nodes[] = { "a", "b", "c", "d", "e", NULL };
  const char *pairs[] = { "a", "b", "b", "c", "a", "d", "c", "e", "d", "e", NULL };
  g_autoptr(JsonNode) flow = build_flow (nodes, pairs);
  DecaFlowLayoutOptions options;
  double pitch;

  deca_flow_layout_options_init (&options);
  layout_ok (flow, &options);
  pitch = options.node_width + options.layer_gap;

  g_assert_cmpfloat (pos_x (flow, "a"), ==, 0);
  g_assert_cmpfloat (pos_x (flow, "b"), ==, pitch);
  g_assert_cmpfloat (pos_x (flow, "d"), ==, pitch);
  g_assert_cmpfloat (pos_x (flow, "c"), ==, 2 * pitch);
  g_assert_cmpfloat (pos_x (flow, "e"), ==, 3 * pitch);
  g_assert_cmpfloat (pos_y (flow, "b"), !=, pos_y (flow, "d"));
  assert_no_overlap (flow, &options);
}

/* Crossings among connections between the nodes @top and @bottom (two layers), with
 * each node's place given by @place. */
static guint
count_crossings (const char * const *pairs,
                 double            (*place) (JsonNode *, const char *),
                 JsonNode           *flow)
{
  guint crossings = 0;

  for (guint i = 0; pairs[i] != NULL; i += 2)
    {
      for (guint j = i + 2; pairs[j] != NULL; j += 2)
        {
          double upper = place (flow, pairs[i]) - place (flow, pairs[j]);
          double lower = place (flow, pairs[i + 1]) - place (flow, pairs[j + 1]);

          if (upper * lower < 0)
            crossings++;
        }
    }
  return crossings;
}

static const char * const two_layer_nodes[] = {
  "a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4", NULL
};

/* Where a node stands in document order within its layer: the input order. */
static double
input_place (JsonNode   *flow,
             const char *id)
{
  for (guint i = 0; two_layer_nodes[i] != NULL; i++)
    {
      if (g_str_equal (two_layer_nodes[i], id))
        return i % 4;
    }
  g_assert_not_reached ();
}

static void
test_crossings (void)
{
  /* The classic example: each upper node connects to lower nodes in the reverse order. */
  const char *pairs[] = {
    "a1", "b4", "a1", "b3",
    "a2", "b3", "a2", "b1",
    "a3", "b2",
    "a4", "b1", "a4", "b2",
    NULL
  };
  g_autoptr(JsonNode) flow = build_flow (two_layer_nodes, pairs);
  DecaFlowLayoutOptions options;
  guint before, after;

  deca_flow_layout_options_init (&options);
  layout_ok (flow, &options);

  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpfloat (pos_x (flow, two_layer_nodes[i]), ==, 0);
      g_assert_cmpfloat (pos_x (flow, two_layer_nodes[i + 4]), >, 0);
    }
  before = count_crossings (pairs, input_place, flow);
  after = count_crossings (pairs, pos_y, flow);
  g_test_message ("crossings: %u in input order, %u after layout", before, after);
  g_assert_cmpuint (before, >, 0);
  g_assert_cmpuint (after, <, before);
}

/* start -> each -> body1 -> body2 -> each (back), each -> done. The back connection is
 * ignored, so the loop node stays right after start, before its body. */
static void
test_loop_back_edge (void)
{
  g_autoptr(JsonNode) flow = parse (
    "{\"id\": \"f\", \"nodes\": ["
    "  {\"id\": \"body2\"}, {\"id\": \"body1\"}, {\"id\": \"done\"},"
    "  {\"id\": \"each\", \"type\": \"loop\"}, {\"id\": \"start\"}],"
    " \"connections\": ["
    "  {\"from\": \"body2\", \"to\": \"each\"},"
    "  {\"from\": \"each\", \"from_port\": \"body\", \"to\": \"body1\"},"
    "  {\"from\": \"body1\", \"to\": \"body2\"},"
    "  {\"from\": \"start\", \"to\": \"each\"},"
    "  {\"from\": \"each\", \"from_port\": \"done\", \"to\": \"done\"}]}");
  DecaFlowLayoutOptions options;
  double pitch;

  deca_flow_layout_options_init (&options);
  layout_ok (flow, &options);
  pitch = options.node_width + options.layer_gap;

  g_assert_cmpfloat (pos_x (flow, "start"), ==, 0);
  g_assert_cmpfloat (pos_x (flow, "each"), ==, pitch);
  g_assert_cmpfloat (pos_x (flow, "body1"), ==, 2 * pitch);
  g_assert_cmpfloat (pos_x (flow, "body2"), ==, 3 * pitch);
  g_assert_cmpfloat (pos_x (flow, "done"), ==, 2 * pitch);
  assert_no_overlap (flow, &options);
}

/* Cycles with no source at all, and self loops, are laid out too. */
static void
test_cycles_and_self_loops (void)
{
  const char *nodes[] = { "a", "b", "c", "s", NULL };
  const char *pairs[] = { "a", "b", "b", "c", "c", "a", "s", "s", "a", "a", NULL };
  g_autoptr(JsonNode) flow = build_flow (nodes, pairs);
  DecaFlowLayoutOptions options;

  deca_flow_layout_options_init (&options);
  layout_ok (flow, &options);

  /* The search starts at the first node in document order when there is no source. */
  g_assert_cmpfloat (pos_x (flow, "a"), <, pos_x (flow, "b"));
  g_assert_cmpfloat (pos_x (flow, "b"), <, pos_x (flow, "c"));
  g_assert_cmpfloat (pos_x (flow, "s"), ==, 0);
  assert_no_overlap (flow, &options);
}

static void
test_keep_existing (void)
{
  g_autoptr(JsonNode) flow = parse (
    "{\"id\": \"f\", \"nodes\": ["
    "  {\"id\": \"a\", \"position\": {\"x\": 500, \"y\": 300}},"
    "  {\"id\": \"b\"},"
    "  {\"id\": \"c\", \"position\": {\"x\": 120.5, \"y\": -40}},"
    "  {\"id\": \"d\", \"position\": {\"x\": 7}},"
    "  {\"id\": \"e\"}],"
    " \"connections\": ["
    "  {\"from\": \"a\", \"to\": \"b\"}, {\"from\": \"b\", \"to\": \"d\"},"
    "  {\"from\": \"d\", \"to\": \"e\"}]}");
  DecaFlowLayoutOptions options;

  deca_flow_layout_options_init (&options);
  options.keep_existing = TRUE;
  layout_ok (flow, &options);

  g_assert_cmpfloat (pos_x (flow, "a"), ==, 500);
  g_assert_cmpfloat (pos_y (flow, "a"), ==, 300);
  g_assert_cmpfloat (pos_x (flow, "c"), ==, 120.5);
  g_assert_cmpfloat (pos_y (flow, "c"), ==, -40);

  /* d had half a position, so it is placed; the new nodes go below the placed ones,
   * starting at their left edge, and keep their own order b -> d -> e. */
  g_assert_cmpfloat (pos_x (flow, "b"), ==, 120.5);
  g_assert_cmpfloat (pos_y (flow, "b"), ==, 300 + options.node_height + options.node_gap);
  g_assert_cmpfloat (pos_x (flow, "d"), >, pos_x (flow, "b"));
  g_assert_cmpfloat (pos_x (flow, "e"), >, pos_x (flow, "d"));
  assert_no_overlap (flow, &options);

  /* Without the option, every position is replaced. */
  options.keep_existing = FALSE;
  layout_ok (flow, &options);
  g_assert_cmpfloat (pos_x (flow, "a"), ==, 0);
  g_assert_cmpfloat (pos_x (flow, "c"), ==, 0);
  assert_no_overlap (flow, &options);
}

static void
test_components (void)
{
  const char *nodes[] = { "a", "b", "c", "x", "y", "lonely", "p", "q", "r", NULL };
  const char *pairs[] = { "a", "b", "a", "c", "x", "y", "p", "q", "p", "r", "q", "r", NULL };
  g_autoptr(JsonNode) flow = build_flow (nodes, pairs);
  DecaFlowLayoutOptions options;
  double bottom_first;

  deca_flow_layout_options_init (&options);
  layout_ok (flow, &options);

  /* Every component starts at the left edge, stacked in document order. */
  g_assert_cmpfloat (pos_x (flow, "a"), ==, 0);
  g_assert_cmpfloat (pos_x (flow, "x"), ==, 0);
  g_assert_cmpfloat (pos_x (flow, "lonely"), ==, 0);
  g_assert_cmpfloat (pos_x (flow, "p"), ==, 0);
  bottom_first = MAX (pos_y (flow, "b"), pos_y (flow, "c")) + options.node_height;
  g_assert_cmpfloat (pos_y (flow, "x"), >=, bottom_first);
  g_assert_cmpfloat (pos_y (flow, "lonely"), >, pos_y (flow, "x"));
  g_assert_cmpfloat (pos_y (flow, "p"), >, pos_y (flow, "lonely"));
  g_assert_cmpfloat (pos_y (flow, "y"), ==, pos_y (flow, "x"));
  assert_no_overlap (flow, &options);
}

static void
test_ignored_input (void)
{
  g_autoptr(JsonNode) flow = parse (
    "{\"id\": \"f\", \"nodes\": ["
    "  {\"id\": \"a\"}, 42, {\"id\": \"b\"}, {\"type\": \"no-id\"}, {\"id\": \"a\"}],"
    " \"connections\": ["
    "  {\"from\": \"a\", \"to\": \"ghost\"}, {\"from\": \"ghost\", \"to\": \"b\"},"
    "  \"junk\", {\"from\": \"a\"}, {\"from\": 1, \"to\": \"b\"},"
    "  {\"from\": \"a\", \"to\": \"b\"}, {\"from\": \"a\", \"to\": \"b\"}]}");
  JsonArray *nodes;
  DecaFlowLayoutOptions options;

  deca_flow_layout_options_init (&options);
  layout_ok (flow, &options);

  nodes = json_object_get_array_member (json_node_get_object (flow), "nodes");
  g_assert_cmpfloat (pos_x (flow, "b"), ==, options.node_width + options.layer_gap);
  /* The element that is not an object is left alone, the others all get positions. */
  g_assert_cmpint (json_node_get_node_type (json_array_get_element (nodes, 1)), ==,
                   JSON_NODE_VALUE);
  g_assert_true (json_object_has_member (json_array_get_object_element (nodes, 3), "position"));
  g_assert_true (json_object_has_member (json_array_get_object_element (nodes, 4), "position"));
}

static void
test_empty (void)
{
  g_autoptr(JsonNode) flow = parse ("{\"id\": \"f\", \"nodes\": []}");
  g_autoptr(JsonNode) no_connections = parse ("{\"id\": \"f\", \"nodes\": [{\"id\": \"a\"}]}");

  layout_ok (flow, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (flow), "nodes")), ==, 0);

  layout_ok (no_connections, NULL);
  g_assert_cmpfloat (pos_x (no_connections, "a"), ==, 0);
  g_assert_cmpfloat (pos_y (no_connections, "a"), ==, 0);
}

static void
test_garbage (void)
{
  static const struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "[1, 2]", "a flow must be a JSON object, not array" },
    { "\"flow\"", "a flow must be a JSON object, not string" },
    { "null", "a flow must be a JSON object, not null" },
    { "{\"id\": \"f\"}", "/nodes: is required" },
    { "{\"nodes\": {\"a\": 1}}", "/nodes: must be an array, not object" },
    { "{\"nodes\": [{\"id\": \"a\"}], \"connections\": 3}",
      "/connections: must be an array, not number" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) document = parse (cases[i].text);
      g_autoptr(GError) error = NULL;
      g_autofree char *before = deca_json_to_string (document, FALSE);
      g_autofree char *after = NULL;

      g_test_message ("%s", cases[i].text);
      g_assert_false (deca_flow_layout_layered (document, NULL, &error));
      g_assert_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      /* A failure leaves the document as it was. */
      after = deca_json_to_string (document, FALSE);
      g_assert_cmpstr (after, ==, before);
    }
}

/* A random flow of @n_nodes nodes and @n_connections connections, mostly forward (a DAG
 * when @back_fraction is 0), from a fixed seed. */
static JsonNode *
random_flow (guint32 seed,
             guint   n_nodes,
             guint   n_connections,
             double  back_fraction)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) pairs = g_ptr_array_new ();

  for (guint i = 0; i < n_nodes; i++)
    g_ptr_array_add (ids, g_strdup_printf ("n%u", i));
  g_ptr_array_add (ids, NULL);

  for (guint i = 0; i < n_connections; i++)
    {
      guint a = g_rand_int_range (rand, 0, n_nodes);
      guint b = g_rand_int_range (rand, 0, n_nodes);

      if (a == b)
        continue;
      if ((a > b) != (g_rand_double (rand) < back_fraction))
        {
          guint swap = a;

          a = b;
          b = swap;
        }
      g_ptr_array_add (pairs, ids->pdata[a]);
      g_ptr_array_add (pairs, ids->pdata[b]);
    }
  g_ptr_array_add (pairs, NULL);

  return build_flow ((const char * const *) ids->pdata, (const char * const *) pairs->pdata);
}

static void
test_random_no_overlap (void)
{
  g_autoptr(JsonNode) flow = random_flow (20240601, 300, 420, 0);
  DecaFlowLayoutOptions options;

  deca_flow_layout_options_init (&options);
  layout_ok (flow, &options);
  assert_no_overlap (flow, &options);

  /* Odd sizes and no gaps: cards may touch but still never overlap. */
  options.node_width = 33.3;
  options.node_height = 17.7;
  options.layer_gap = 0;
  options.node_gap = 0;
  layout_ok (flow, &options);
  assert_no_overlap (flow, &options);
}

/* Every connection that the layout keeps goes left to right. */
static void
test_random_dag_forward (void)
{
  g_autoptr(JsonNode) flow = random_flow (7, 200, 400, 0);
  JsonArray *connections;

  layout_ok (flow, NULL);
  connections = json_object_get_array_member (json_node_get_object (flow), "connections");
  for (guint i = 0; i < json_array_get_length (connections); i++)
    {
      JsonObject *connection = json_array_get_object_element (connections, i);
      const char *from = json_object_get_string_member (connection, "from");
      const char *to = json_object_get_string_member (connection, "to");

      g_assert_cmpfloat (pos_x (flow, from), <, pos_x (flow, to));
    }
}

static void
test_deterministic (void)
{
  g_autoptr(JsonNode) first = random_flow (99, 400, 700, 0.1);
  g_autoptr(JsonNode) second = random_flow (99, 400, 700, 0.1);
  g_autofree char *first_text = NULL;
  g_autofree char *second_text = NULL;

  layout_ok (first, NULL);
  layout_ok (second, NULL);
  first_text = deca_json_to_string (first, FALSE);
  second_text = deca_json_to_string (second, FALSE);
  g_assert_cmpstr (first_text, ==, second_text);

  /* Laying out again gives the same positions: the result does not depend on the old
   * ones. */
  layout_ok (second, NULL);
  g_clear_pointer (&second_text, g_free);
  second_text = deca_json_to_string (second, FALSE);
  g_assert_cmpstr (first_text, ==, second_text);
}

/* The size the studio's benchmark uses: 1,000 nodes and 1,500 connections, with some
 * cycles. Completing is the test; the time is only reported. */
static void
test_big (void)
{
  g_autoptr(JsonNode) flow = random_flow (1000, 1000, 1500, 0.05);
  DecaFlowLayoutOptions options;
  gint64 start;

  deca_flow_layout_options_init (&options);
  start = g_get_monotonic_time ();
  layout_ok (flow, &options);
  g_test_message ("1000 nodes: %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  assert_no_overlap (flow, &options);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deca/engine/flow-layout/chain", test_chain);
  g_test_add_func ("/deca/engine/flow-layout/diamond", test_diamond);
  g_test_add_func ("/deca/engine/flow-layout/branch-join", test_branch_join);
  g_test_add_func ("/deca/engine/flow-layout/crossings", test_crossings);
  g_test_add_func ("/deca/engine/flow-layout/loop-back-edge", test_loop_back_edge);
  g_test_add_func ("/deca/engine/flow-layout/cycles-and-self-loops", test_cycles_and_self_loops);
  g_test_add_func ("/deca/engine/flow-layout/keep-existing", test_keep_existing);
  g_test_add_func ("/deca/engine/flow-layout/components", test_components);
  g_test_add_func ("/deca/engine/flow-layout/ignored-input", test_ignored_input);
  g_test_add_func ("/deca/engine/flow-layout/empty", test_empty);
  g_test_add_func ("/deca/engine/flow-layout/garbage", test_garbage);
  g_test_add_func ("/deca/engine/flow-layout/random-no-overlap", test_random_no_overlap);
  g_test_add_func ("/deca/engine/flow-layout/random-dag-forward", test_random_dag_forward);
  g_test_add_func ("/deca/engine/flow-layout/deterministic", test_deterministic);
  g_test_add_func ("/deca/engine/flow-layout/big", test_big);

  return g_test_run ();
}
