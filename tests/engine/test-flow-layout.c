/* test-flow-layout.c: automatic layered layout of flow documents. */

#include <glib.h>
#include <math.h>
#include <json-glib/json-glib.h>

#include "deca-engine-error.h"
#include "deca-flow-layout.h"
#include "deca-flow-layout-private.h"
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

/* Whether the segment from (@x0, @y0) to (@x1, @y1) passes through the inside of the
 * rectangle at (@left, @top) of @width × @height: Liang-Barsky clipping, so exact. */
static gboolean
segment_crosses_rect (double x0,
                      double y0,
                      double x1,
                      double y1,
                      double left,
                      double top,
                      double width,
                      double height)
{
  /* Touching an edge is not crossing. */
  const double slack = 1e-6;
  double p[4] = { -(x1 - x0), x1 - x0, -(y1 - y0), y1 - y0 };
  double q[4] = {
    x0 - (left + slack), (left + width - slack) - x0,
    y0 - (top + slack), (top + height - slack) - y0,
  };
  double t0 = 0, t1 = 1;

  for (guint i = 0; i < 4; i++)
    {
      if (p[i] == 0)
        {
          if (q[i] < 0)
            return FALSE;
          continue;
        }
      if (p[i] < 0)
        t0 = MAX (t0, q[i] / p[i]);
      else
        t1 = MIN (t1, q[i] / p[i]);
    }
  return t0 < t1;
}

/* The straight segment a connection from @from to @to would take on the canvas: from
 * the middle of the right edge of @from's card to the middle of the left edge of @to's. */
static gboolean
connection_crosses_card (JsonNode                    *flow,
                         const DecaFlowLayoutOptions *options,
                         const char                  *from,
                         const char                  *to,
                         const char                  *card,
                         double                       margin)
{
  return segment_crosses_rect (pos_x (flow, from) + options->node_width,
                               pos_y (flow, from) + options->node_height / 2,
                               pos_x (flow, to), pos_y (flow, to) + options->node_height / 2,
                               pos_x (flow, card) - margin, pos_y (flow, card) - margin,
                               options->node_width + 2 * margin,
                               options->node_height + 2 * margin);
}

/* Asserts that the straight segment of every connection that skips a layer passes
 * through no card but those of its own two ends. */
static void
assert_long_connections_clear (JsonNode                    *flow,
                               const DecaFlowLayoutOptions *options)
{
  JsonObject *document = json_node_get_object (flow);
  JsonArray *nodes = json_object_get_array_member (document, "nodes");
  JsonArray *connections = json_object_get_array_member (document, "connections");
  double pitch = options->node_width + options->layer_gap;
  guint checked = 0;

  for (guint i = 0; i < json_array_get_length (connections); i++)
    {
      JsonObject *connection = json_array_get_object_element (connections, i);
      const char *from = json_object_get_string_member (connection, "from");
      const char *to = json_object_get_string_member (connection, "to");

      if (pos_x (flow, to) - pos_x (flow, from) <= pitch)
        continue;
      checked++;
      for (guint j = 0; j < json_array_get_length (nodes); j++)
        {
          JsonObject *node = json_array_get_object_element (nodes, j);
          const char *id = json_object_get_string_member (node, "id");

          if (g_str_equal (id, from) || g_str_equal (id, to))
            continue;
          if (connection_crosses_card (flow, options, from, to, id, 0))
            g_error ("the connection %s -> %s passes through %s", from, to, id);
        }
    }
  g_assert_cmpuint (checked, >, 0);
}

/* Lays @flow out and checks the lanes of its long connections: each connection that
 * spans k layers (k > 1) has k - 1 lanes, one in each layer it crosses, and no lane
 * overlaps a card or another lane. Returns the lanes. */
static GArray *
layout_with_lanes (JsonNode                    *flow,
                   const DecaFlowLayoutOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) lanes = g_array_new (FALSE, FALSE, sizeof (DecaFlowLayoutLane));
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonObject *document = json_node_get_object (flow);
  JsonArray *nodes = json_object_get_array_member (document, "nodes");
  JsonArray *connections = json_object_get_array_member (document, "connections");
  guint n = json_array_get_length (nodes);
  double pitch = options->node_width + options->layer_gap;
  const double slack = 1e-6;
  g_autofree double *x = g_new (double, n);
  g_autofree double *y = g_new (double, n);
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_expected = 0;

  g_assert_true (_deca_flow_layout_layered_lanes (flow, options, lanes, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < n; i++)
    {
      JsonObject *node = json_array_get_object_element (nodes, i);

      x[i] = pos_x (flow, json_object_get_string_member (node, "id"));
      y[i] = pos_y (flow, json_object_get_string_member (node, "id"));
      g_hash_table_insert (index, (gpointer) json_object_get_string_member (node, "id"),
                           GUINT_TO_POINTER (i));
    }

  /* The lanes every forward connection that skips layers needs, once per pair. */
  for (guint i = 0; i < json_array_get_length (connections); i++)
    {
      JsonObject *connection = json_array_get_object_element (connections, i);
      guint from = GPOINTER_TO_UINT (g_hash_table_lookup (
        index, json_object_get_string_member (connection, "from")));
      guint to = GPOINTER_TO_UINT (g_hash_table_lookup (
        index, json_object_get_string_member (connection, "to")));
      double span = (x[to] - x[from]) / pitch;

      if (span < 1.5)
        continue;
      g_assert_cmpfloat (fabs (span - round (span)), <, 1e-6);
      for (guint k = 1; k < (guint) round (span); k++)
        {
          char *key = g_strdup_printf ("%u %u %u", from, to, k);

          if (g_hash_table_add (expected, key))
            n_expected++;
        }
    }

  g_assert_cmpuint (lanes->len, ==, n_expected);
  for (guint i = 0; i < lanes->len; i++)
    {
      DecaFlowLayoutLane *lane = &g_array_index (lanes, DecaFlowLayoutLane, i);
      double step = (lane->x - x[lane->from]) / pitch;
      g_autofree char *key = g_strdup_printf ("%u %u %u", lane->from, lane->to,
                                              (guint) round (step));

      g_assert_true (g_hash_table_remove (expected, key));
      g_assert_cmpfloat (lane->width, ==, options->node_width);
      g_assert_cmpfloat (lane->height, >, 0);
      g_assert_cmpfloat (lane->height, <, options->node_height);

      for (guint j = 0; j < n; j++)
        {
          gboolean apart = x[j] + options->node_width <= lane->x + slack ||
                           lane->x + lane->width <= x[j] + slack ||
                           y[j] + options->node_height <= lane->y + slack ||
                           lane->y + lane->height <= y[j] + slack;

          if (!apart)
            g_error ("the lane of %u -> %u at (%g, %g) overlaps node %u at (%g, %g)",
                     lane->from, lane->to, lane->x, lane->y, j, x[j], y[j]);
        }
      for (guint j = i + 1; j < lanes->len; j++)
        {
          DecaFlowLayoutLane *other = &g_array_index (lanes, DecaFlowLayoutLane, j);

          if (other->x != lane->x)
            continue;
          g_assert_true (other->y + other->height <= lane->y + slack ||
                         lane->y + lane->height <= other->y + slack);
        }
    }
  g_assert_cmpuint (g_hash_table_size (expected), ==, 0);

  return g_steal_pointer (&lanes);
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

/* With keep_existing, new nodes with a long connection among them are laid out below
 * the placed ones, lanes included, and the placed ones keep their positions. */
static void
test_keep_existing_lanes (void)
{
  g_autoptr(JsonNode) flow = parse (
    "{\"id\": \"f\", \"nodes\": ["
    "  {\"id\": \"a\", \"position\": {\"x\": 40, \"y\": 300}},"
    "  {\"id\": \"p\"}, {\"id\": \"q\"}, {\"id\": \"r\"}, {\"id\": \"s\"}],"
    " \"connections\": ["
    "  {\"from\": \"p\", \"to\": \"q\"}, {\"from\": \"q\", \"to\": \"r\"},"
    "  {\"from\": \"r\", \"to\": \"s\"}, {\"from\": \"p\", \"to\": \"s\"}]}");
  g_autoptr(GArray) lanes = NULL;
  DecaFlowLayoutOptions options;
  double below;

  deca_flow_layout_options_init (&options);
  options.keep_existing = TRUE;
  lanes = layout_with_lanes (flow, &options);
  below = 300 + options.node_height + options.node_gap;

  g_assert_cmpfloat (pos_x (flow, "a"), ==, 40);
  g_assert_cmpfloat (pos_y (flow, "a"), ==, 300);
  g_assert_cmpfloat (pos_x (flow, "p"), ==, 40);
  g_assert_cmpuint (lanes->len, ==, 2);
  for (guint i = 0; i < lanes->len; i++)
    g_assert_cmpfloat (g_array_index (lanes, DecaFlowLayoutLane, i).y, >=, below);
  g_assert_cmpfloat (MIN (pos_y (flow, "p"), pos_y (flow, "q")), >=, below);
  g_assert_cmpfloat (pos_y (flow, "p"), ==, pos_y (flow, "s"));
  assert_long_connections_clear (flow, &options);
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

/* The bundled example: normalise -> is-large; is-large.true -> notify;
 * is-large.false -> respond; notify -> respond. respond waits for notify, so the
 * connection from is-large to respond skips notify's layer, and must not be drawn
 * through notify's card. */
static void
test_order_webhook (void)
{
  const char *source = g_getenv ("DECA_SOURCE_DIR");
  g_autofree char *path = g_build_filename (source ? source : ".", "data", "examples",
                                            "order-webhook.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) flow = NULL;
  g_autoptr(GArray) lanes = NULL;
  DecaFlowLayoutOptions options;
  DecaFlowLayoutLane *lane;
  double pitch;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  flow = parse (text);
  deca_flow_layout_options_init (&options);
  lanes = layout_with_lanes (flow, &options);
  pitch = options.node_width + options.layer_gap;

  g_assert_cmpfloat (pos_x (flow, "normalise"), ==, 0);
  g_assert_cmpfloat (pos_x (flow, "is-large"), ==, pitch);
  g_assert_cmpfloat (pos_x (flow, "notify"), ==, 2 * pitch);
  g_assert_cmpfloat (pos_x (flow, "respond"), ==, 3 * pitch);

  /* Not all four on one row: notify steps aside, the skipping connection runs straight
   * from is-large to respond, and normalise stays in line with is-large. */
  g_assert_cmpfloat (pos_y (flow, "notify"), !=, pos_y (flow, "respond"));
  g_assert_cmpfloat (pos_y (flow, "respond"), ==, pos_y (flow, "is-large"));
  g_assert_cmpfloat (pos_y (flow, "normalise"), ==, pos_y (flow, "is-large"));
  g_assert_false (connection_crosses_card (flow, &options, "is-large", "respond", "notify", 0));
  /* With room to spare: the connection keeps at least half a gap from notify's card. */
  g_assert_false (connection_crosses_card (flow, &options, "is-large", "respond", "notify",
                                           options.node_gap / 2 - 1e-6));
  assert_long_connections_clear (flow, &options);
  assert_no_overlap (flow, &options);

  /* One lane, in notify's layer, for is-large -> respond (elements 1 and 3). */
  g_assert_cmpuint (lanes->len, ==, 1);
  lane = &g_array_index (lanes, DecaFlowLayoutLane, 0);
  g_assert_cmpuint (lane->from, ==, 1);
  g_assert_cmpuint (lane->to, ==, 3);
  g_assert_cmpfloat (lane->x, ==, pos_x (flow, "notify"));
}

/* A chain a -> ... -> e with a connection a -> e that skips the three nodes between:
 * the skip runs straight, and the chain between stays straight beside it. */
static void
test_skip_connection (void)
{
  const char *nodes[] = { "a", "b", "c", "d", "e", NULL };
  const char *pairs[] = { "a", "b", "b", "c", "c", "d", "d", "e", "a", "e", NULL };
  g_autoptr(JsonNode) flow = build_flow (nodes, pairs);
  g_autoptr(GArray) lanes = NULL;
  DecaFlowLayoutOptions options;

  deca_flow_layout_options_init (&options);
  lanes = layout_with_lanes (flow, &options);

  g_assert_cmpuint (lanes->len, ==, 3);
  g_assert_cmpfloat (pos_y (flow, "a"), ==, pos_y (flow, "e"));
  g_assert_cmpfloat (pos_y (flow, "b"), !=, pos_y (flow, "a"));
  g_assert_cmpfloat (pos_y (flow, "c"), ==, pos_y (flow, "b"));
  g_assert_cmpfloat (pos_y (flow, "d"), ==, pos_y (flow, "b"));
  for (guint i = 0; i < lanes->len; i++)
    g_assert_cmpfloat (g_array_index (lanes, DecaFlowLayoutLane, i).y +
                       g_array_index (lanes, DecaFlowLayoutLane, i).height / 2, ==,
                       pos_y (flow, "a") + options.node_height / 2);
  assert_long_connections_clear (flow, &options);
  assert_no_overlap (flow, &options);
}

/* Branches that rejoin after paths of different lengths, and a diamond with a skip
 * across it: no long connection is drawn through a card. */
static void
test_rejoin_clear (void)
{
  static const char *nodes[] = { "a", "b", "c", "d", "e", "f", "g", "h", NULL };
  static const char *cases[][20] = {
    /* The existing branch-join: d -> e skips c's layer. */
    { "a", "b", "b", "c", "a", "d", "c", "e", "d", "e", NULL },
    /* A diamond with its source also connected straight to the join's successor. */
    { "a", "b", "a", "c", "b", "d", "c", "d", "d", "e", "a", "e", NULL },
    /* Nested branches, one side longer, joined by a shortcut from the outer source. */
    { "a", "b", "b", "c", "b", "d", "c", "e", "d", "e", "e", "f", "a", "g", "g", "f",
      "f", "h", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) flow = NULL;
      g_autoptr(GArray) lanes = NULL;
      const char *used[G_N_ELEMENTS (nodes)] = { NULL };
      guint n_used = 0;
      DecaFlowLayoutOptions options;

      /* Only the nodes the case connects. */
      for (guint j = 0; nodes[j] != NULL; j++)
        {
          for (guint k = 0; cases[i][k] != NULL; k++)
            {
              if (g_str_equal (cases[i][k], nodes[j]))
                {
                  used[n_used++] = nodes[j];
                  break;
                }
            }
        }
      flow = build_flow (used, cases[i]);
      deca_flow_layout_options_init (&options);
      g_test_message ("case %u", i);
      lanes = layout_with_lanes (flow, &options);
      g_assert_cmpuint (lanes->len, >, 0);
      assert_long_connections_clear (flow, &options);
      assert_no_overlap (flow, &options);
    }
}

/* a fans out to b, c and d, which join in e: the middle branch is in line with a and e,
 * the outer two symmetric around it. In document order, and in reverse. */
static void
test_fan_symmetric (void)
{
  const char *forward[] = { "a", "b", "c", "d", "e", NULL };
  const char *backward[] = { "e", "d", "c", "b", "a", NULL };
  const char *pairs[] = { "a", "b", "a", "c", "a", "d", "b", "e", "c", "e", "d", "e", NULL };
  const char * const *orders[] = { forward, backward };

  for (guint i = 0; i < G_N_ELEMENTS (orders); i++)
    {
      g_autoptr(JsonNode) flow = build_flow (orders[i], pairs);
      DecaFlowLayoutOptions options;

      deca_flow_layout_options_init (&options);
      options.node_height = 64;
      layout_ok (flow, &options);

      g_assert_cmpfloat (pos_y (flow, "c"), ==, pos_y (flow, "a"));
      g_assert_cmpfloat (pos_y (flow, "e"), ==, pos_y (flow, "a"));
      g_assert_cmpfloat (pos_y (flow, "b") + pos_y (flow, "d"), ==, 2 * pos_y (flow, "a"));
      g_assert_cmpfloat (fabs (pos_y (flow, "b") - pos_y (flow, "d")), ==,
                         2 * (options.node_height + options.node_gap));
      assert_no_overlap (flow, &options);
    }
}

/* A loop whose body is longer than the path that leaves it: the back connection is
 * still ignored, the loop node stays before its body, and the connection from the loop
 * node to what follows the loop, which skips the body, is clear of the body's cards. */
static void
test_loop_with_skip (void)
{
  g_autoptr(JsonNode) flow = parse (
    "{\"id\": \"f\", \"nodes\": ["
    "  {\"id\": \"start\"}, {\"id\": \"each\", \"type\": \"loop\"}, {\"id\": \"b1\"},"
    "  {\"id\": \"b2\"}, {\"id\": \"b3\"}, {\"id\": \"after\"}],"
    " \"connections\": ["
    "  {\"from\": \"start\", \"to\": \"each\"},"
    "  {\"from\": \"each\", \"from_port\": \"body\", \"to\": \"b1\"},"
    "  {\"from\": \"b1\", \"to\": \"b2\"}, {\"from\": \"b2\", \"to\": \"b3\"},"
    "  {\"from\": \"b3\", \"to\": \"each\"},"
    "  {\"from\": \"each\", \"from_port\": \"done\", \"to\": \"after\"},"
    "  {\"from\": \"b3\", \"to\": \"after\"}]}");
  g_autoptr(GArray) lanes = NULL;
  DecaFlowLayoutOptions options;
  double pitch;

  deca_flow_layout_options_init (&options);
  lanes = layout_with_lanes (flow, &options);
  pitch = options.node_width + options.layer_gap;

  g_assert_cmpfloat (pos_x (flow, "start"), ==, 0);
  g_assert_cmpfloat (pos_x (flow, "each"), ==, pitch);
  g_assert_cmpfloat (pos_x (flow, "b1"), ==, 2 * pitch);
  g_assert_cmpfloat (pos_x (flow, "b3"), ==, 4 * pitch);
  g_assert_cmpfloat (pos_x (flow, "after"), ==, 5 * pitch);
  /* No lanes for the back connection b3 -> each; three for each -> after. */
  g_assert_cmpuint (lanes->len, ==, 3);
  assert_long_connections_clear (flow, &options);
  assert_no_overlap (flow, &options);
}

/* Random DAGs, dense and sparse, with the default sizes and odd ones: every long
 * connection has a lane in each layer it crosses, and no lane overlaps a card. */
static void
test_random_lanes (void)
{
  static const struct {
    guint32 seed;
    guint n_nodes;
    guint n_connections;
  } cases[] = {
    { 20240601, 300, 420 },
    { 5, 120, 300 },
    { 77, 60, 60 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) flow = random_flow (cases[i].seed, cases[i].n_nodes,
                                              cases[i].n_connections, 0);
      g_autoptr(GArray) lanes = NULL;
      g_autoptr(GArray) odd_lanes = NULL;
      DecaFlowLayoutOptions options;

      deca_flow_layout_options_init (&options);
      lanes = layout_with_lanes (flow, &options);
      g_test_message ("%u nodes: %u lanes", cases[i].n_nodes, lanes->len);
      g_assert_cmpuint (lanes->len, >, 0);
      assert_no_overlap (flow, &options);

      options.node_width = 33.3;
      options.node_height = 17.7;
      options.layer_gap = 5.5;
      options.node_gap = 3.1;
      odd_lanes = layout_with_lanes (flow, &options);
      g_assert_cmpuint (odd_lanes->len, ==, lanes->len);
      assert_no_overlap (flow, &options);
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

/* The lanes of the long connections are the same from one run to the next too. */
static void
test_deterministic_lanes (void)
{
  g_autoptr(JsonNode) first = random_flow (4242, 250, 500, 0.05);
  g_autoptr(JsonNode) second = random_flow (4242, 250, 500, 0.05);
  g_autoptr(GArray) first_lanes = g_array_new (FALSE, FALSE, sizeof (DecaFlowLayoutLane));
  g_autoptr(GArray) second_lanes = g_array_new (FALSE, FALSE, sizeof (DecaFlowLayoutLane));
  g_autofree char *first_text = NULL;
  g_autofree char *second_text = NULL;

  g_assert_true (_deca_flow_layout_layered_lanes (first, NULL, first_lanes, NULL));
  g_assert_true (_deca_flow_layout_layered_lanes (second, NULL, second_lanes, NULL));
  first_text = deca_json_to_string (first, FALSE);
  second_text = deca_json_to_string (second, FALSE);
  g_assert_cmpstr (first_text, ==, second_text);
  g_assert_cmpuint (first_lanes->len, >, 0);
  g_assert_cmpuint (first_lanes->len, ==, second_lanes->len);
  for (guint i = 0; i < first_lanes->len; i++)
    {
      DecaFlowLayoutLane *a = &g_array_index (first_lanes, DecaFlowLayoutLane, i);
      DecaFlowLayoutLane *b = &g_array_index (second_lanes, DecaFlowLayoutLane, i);

      g_assert_cmpuint (a->from, ==, b->from);
      g_assert_cmpuint (a->to, ==, b->to);
      g_assert_cmpfloat (a->x, ==, b->x);
      g_assert_cmpfloat (a->y, ==, b->y);
    }
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
  g_test_add_func ("/deca/engine/flow-layout/order-webhook", test_order_webhook);
  g_test_add_func ("/deca/engine/flow-layout/skip-connection", test_skip_connection);
  g_test_add_func ("/deca/engine/flow-layout/rejoin-clear", test_rejoin_clear);
  g_test_add_func ("/deca/engine/flow-layout/fan-symmetric", test_fan_symmetric);
  g_test_add_func ("/deca/engine/flow-layout/loop-with-skip", test_loop_with_skip);
  g_test_add_func ("/deca/engine/flow-layout/keep-existing-lanes", test_keep_existing_lanes);
  g_test_add_func ("/deca/engine/flow-layout/random-lanes", test_random_lanes);
  g_test_add_func ("/deca/engine/flow-layout/deterministic-lanes", test_deterministic_lanes);

  return g_test_run ();
}
