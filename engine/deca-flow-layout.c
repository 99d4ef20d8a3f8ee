/* deca-flow-layout.c: automatic layered (Sugiyama-style) layout of a flow document.
 *
 * The steps: read the nodes and connections of the JSON document; break cycles by ignoring
 * the back edges of a depth-first search that starts at the sources, so that the connection
 * from a loop body back to its loop node is the one ignored and the loop node stays before
 * its body; give every node a layer by the longest path from a source; split the graph
 * into weakly connected components; order each component's layers with barycenter sweeps,
 * keeping the order with the fewest crossings; then turn layer and rank into coordinates,
 * each layer centred on its component, the components stacked top to bottom.
 *
 * Long connections get no dummy nodes. A node's barycenter averages the positions of all
 * its neighbours in earlier (or later) layers, whatever the distance, which keeps the
 * drawing as compact as the node count even for flows with many long connections, at the
 * price of a coarser crossing reduction for those connections.
 *
 * Every step runs in document order with explicit tie-breaks, so the same document always
 * gives the same positions.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-flow-layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deca-engine-error.h"
#include "deca-json.h"

/* Barycenter sweeps, alternating down and up. Most of the gain comes in the first few; the
 * best order seen is kept, so more sweeps never make the result worse, only slower. */
#define LAYOUT_SWEEPS 8

typedef struct {
  guint from;
  guint to;
} LayoutEdge;

typedef struct {
  guint n_nodes;
  JsonObject **objects;     /* borrowed from the document, one per node to place */

  /* The acyclic graph in compressed form: the successors of v are
   * succ[succ_start[v] .. succ_start[v + 1]), its predecessors likewise. */
  guint *succ_start;
  guint *succ;
  guint *pred_start;
  guint *pred;

  guint *layer;
  guint *rank;              /* position within its layer, top to bottom */
} LayoutGraph;

static void
layout_graph_clear (LayoutGraph *graph)
{
  g_free (graph->objects);
  g_free (graph->succ_start);
  g_free (graph->succ);
  g_free (graph->pred_start);
  g_free (graph->pred);
  g_free (graph->layer);
  g_free (graph->rank);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LayoutGraph, layout_graph_clear)

/*
 * deca_flow_layout_options_init:
 * Fills @options with the defaults: 200 × 80 cards, 80 between layers, 40 between the
 * cards of a layer, existing positions replaced.
 */
void
deca_flow_layout_options_init (DecaFlowLayoutOptions *options)
{
  g_return_if_fail (options != NULL);

  options->node_width = 200;
  options->node_height = 80;
  options->layer_gap = 80;
  options->node_gap = 40;
  options->keep_existing = FALSE;
}

static gboolean
is_finite_number (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    return TRUE;
  return type == G_TYPE_DOUBLE && isfinite (json_node_get_double (node));
}

/* Whether @node_object has a usable "position": an object with numeric "x" and "y". On
 * TRUE, stores them in @x and @y. */
static gboolean
node_position (JsonObject *node_object,
               double     *x,
               double     *y)
{
  JsonNode *position = json_object_get_member (node_object, "position");
  JsonObject *object;

  if (position == NULL || !JSON_NODE_HOLDS_OBJECT (position))
    return FALSE;
  object = json_node_get_object (position);
  if (!is_finite_number (json_object_get_member (object, "x")) ||
      !is_finite_number (json_object_get_member (object, "y")))
    return FALSE;
  *x = json_object_get_double_member (object, "x");
  *y = json_object_get_double_member (object, "y");
  return TRUE;
}

/* Fills @start (n + 1 entries) and @adjacent so that the entries of node v are
 * adjacent[start[v] .. start[v + 1]): for each edge, its index (@edge_ids) or the node at
 * its other end. A counting sort, so every list keeps the document order of the edges. */
static void
build_adjacency (guint             n_nodes,
                 const LayoutEdge *edges,
                 guint             n_edges,
                 gboolean          reverse,
                 gboolean          edge_ids,
                 guint           **start,
                 guint           **adjacent)
{
  g_autofree guint *fill = g_new0 (guint, n_nodes + 1);

  *start = g_new0 (guint, n_nodes + 1);
  *adjacent = g_new (guint, MAX (n_edges, 1));

  for (guint e = 0; e < n_edges; e++)
    (*start)[(reverse ? edges[e].to : edges[e].from) + 1]++;
  for (guint v = 0; v < n_nodes; v++)
    (*start)[v + 1] += (*start)[v];
  memcpy (fill, *start, (n_nodes + 1) * sizeof (guint));

  for (guint e = 0; e < n_edges; e++)
    {
      guint owner = reverse ? edges[e].to : edges[e].from;
      guint other = reverse ? edges[e].from : edges[e].to;

      (*adjacent)[fill[owner]++] = edge_ids ? e : other;
    }
}

/* Marks in @back the edges that close a cycle: the back edges of a depth-first search run
 * first from every source in document order, then from whatever is left (nodes on cycles
 * with no source upstream). Starting at the sources is what makes the loop node, which is
 * reached before its body, win over the body's connection back to it. The search keeps
 * its own stack, so a 100,000-node chain cannot overflow the C stack. */
static void
find_back_edges (guint             n_nodes,
                 const LayoutEdge *edges,
                 guint             n_edges,
                 gboolean         *back)
{
  g_autofree guint *out_start = NULL;
  g_autofree guint *out_edges = NULL;
  g_autofree guint *next = g_new (guint, n_nodes);
  g_autofree guint *stack = g_new (guint, MAX (n_nodes, 1));
  g_autofree guint8 *state = g_new0 (guint8, n_nodes);   /* 0 new, 1 on stack, 2 done */
  g_autofree gboolean *has_pred = g_new0 (gboolean, n_nodes);

  build_adjacency (n_nodes, edges, n_edges, FALSE, TRUE, &out_start, &out_edges);
  for (guint e = 0; e < n_edges; e++)
    has_pred[edges[e].to] = TRUE;

  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint root = 0; root < n_nodes; root++)
        {
          guint depth = 0;

          if (state[root] != 0 || (pass == 0 && has_pred[root]))
            continue;

          state[root] = 1;
          next[root] = out_start[root];
          stack[depth++] = root;
          while (depth > 0)
            {
              guint v = stack[depth - 1];

              if (next[v] < out_start[v + 1])
                {
                  guint e = out_edges[next[v]++];
                  guint w = edges[e].to;

                  if (state[w] == 0)
                    {
                      state[w] = 1;
                      next[w] = out_start[w];
                      stack[depth++] = w;
                    }
                  else if (state[w] == 1)
                    back[e] = TRUE;
                }
              else
                {
                  state[v] = 2;
                  depth--;
                }
            }
        }
    }
}

/* Longest-path layering of the acyclic graph: sources are layer 0, every other node one
 * layer after its latest predecessor. So every node of layer l > 0 has a predecessor in
 * layer l - 1, and the layers of a component have no gaps. */
static void
assign_layers (LayoutGraph *graph)
{
  guint n = graph->n_nodes;
  g_autofree guint *missing = g_new (guint, n);
  g_autofree guint *queue = g_new (guint, MAX (n, 1));
  guint head = 0, tail = 0;

  for (guint v = 0; v < n; v++)
    {
      missing[v] = graph->pred_start[v + 1] - graph->pred_start[v];
      graph->layer[v] = 0;
      if (missing[v] == 0)
        queue[tail++] = v;
    }

  while (head < tail)
    {
      guint v = queue[head++];

      for (guint i = graph->succ_start[v]; i < graph->succ_start[v + 1]; i++)
        {
          guint w = graph->succ[i];

          graph->layer[w] = MAX (graph->layer[w], graph->layer[v] + 1);
          if (--missing[w] == 0)
            queue[tail++] = w;
        }
    }

  /* The back edges are gone, so every node was reached. */
  g_assert (tail == n);
}

static guint
find_root (guint *parent,
           guint  v)
{
  while (parent[v] != v)
    {
      parent[v] = parent[parent[v]];
      v = parent[v];
    }
  return v;
}

/* Stores in @component the weakly connected component of every node, numbered in the
 * document order of each component's first node. Returns the number of components. */
static guint
find_components (LayoutGraph *graph,
                 guint       *component)
{
  guint n = graph->n_nodes;
  g_autofree guint *parent = g_new (guint, n);
  g_autofree guint *number = g_new (guint, n);
  guint n_components = 0;

  for (guint v = 0; v < n; v++)
    {
      parent[v] = v;
      number[v] = G_MAXUINT;
    }
  for (guint v = 0; v < n; v++)
    {
      for (guint i = graph->succ_start[v]; i < graph->succ_start[v + 1]; i++)
        {
          guint a = find_root (parent, v);
          guint b = find_root (parent, graph->succ[i]);

          if (a != b)
            parent[MAX (a, b)] = MIN (a, b);
        }
    }
  for (guint v = 0; v < n; v++)
    {
      guint root = find_root (parent, v);

      if (number[root] == G_MAXUINT)
        number[root] = n_components++;
      component[v] = number[root];
    }
  return n_components;
}

/* One layered component being ordered: its nodes sorted by layer, then rank. */
typedef struct {
  LayoutGraph *graph;
  guint n_layers;
  guint *layer_start;       /* n_layers + 1 entries, into order */
  guint *order;
  /* Scratch space for counting crossings, sized for the component. */
  guint *pairs;
  guint *tree;
} LayoutComponent;

static double
centred_rank (LayoutComponent *comp,
              guint            v)
{
  guint layer = comp->graph->layer[v];
  guint size = comp->layer_start[layer + 1] - comp->layer_start[layer];

  return comp->graph->rank[v] - (size - 1) / 2.0;
}

typedef struct {
  double key;
  guint rank;
  guint node;
} SortEntry;

static int
sort_entry_compare (const void *a,
                    const void *b)
{
  const SortEntry *x = a;
  const SortEntry *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  /* Equal barycenters keep their current order, which makes the sort stable. */
  return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Reorders @layer by the barycenter of each node's predecessors (@use_pred) or
 * successors. Positions are ranks centred on the middle of their layer, because that is
 * how layers are finally drawn; a node without such neighbours keeps its own place. */
static void
sort_layer (LayoutComponent *comp,
            guint            layer,
            gboolean         use_pred,
            SortEntry       *entries)
{
  LayoutGraph *graph = comp->graph;
  guint first = comp->layer_start[layer];
  guint size = comp->layer_start[layer + 1] - first;
  const guint *start = use_pred ? graph->pred_start : graph->succ_start;
  const guint *adjacent = use_pred ? graph->pred : graph->succ;

  for (guint i = 0; i < size; i++)
    {
      guint v = comp->order[first + i];
      guint count = start[v + 1] - start[v];
      double sum = 0;

      for (guint j = start[v]; j < start[v + 1]; j++)
        sum += centred_rank (comp, adjacent[j]);
      entries[i].key = count > 0 ? sum / count : centred_rank (comp, v);
      entries[i].rank = graph->rank[v];
      entries[i].node = v;
    }

  qsort (entries, size, sizeof (SortEntry), sort_entry_compare);

  for (guint i = 0; i < size; i++)
    {
      comp->order[first + i] = entries[i].node;
      graph->rank[entries[i].node] = i;
    }
}

static int
pair_compare (const void *a,
              const void *b)
{
  const guint *x = a;
  const guint *y = b;

  if (x[0] != y[0])
    return x[0] < y[0] ? -1 : 1;
  return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* Counts the crossings between connections joining neighbouring layers of @comp, as
 * inversions of the lower ends once the connections are sorted by their upper ends
 * (a Fenwick tree, so O(E log V) per count rather than O(E²)). Connections spanning more
 * than one layer are not counted; see the comment at the top of the file. */
static guint64
count_crossings (LayoutComponent *comp)
{
  LayoutGraph *graph = comp->graph;
  guint64 crossings = 0;

  for (guint layer = 0; layer + 1 < comp->n_layers; layer++)
    {
      guint lower_size = comp->layer_start[layer + 2] - comp->layer_start[layer + 1];
      guint n_pairs = 0;

      for (guint i = comp->layer_start[layer]; i < comp->layer_start[layer + 1]; i++)
        {
          guint v = comp->order[i];

          for (guint j = graph->succ_start[v]; j < graph->succ_start[v + 1]; j++)
            {
              guint w = graph->succ[j];

              if (graph->layer[w] != layer + 1)
                continue;
              comp->pairs[2 * n_pairs] = graph->rank[v];
              comp->pairs[2 * n_pairs + 1] = graph->rank[w];
              n_pairs++;
            }
        }

      qsort (comp->pairs, n_pairs, 2 * sizeof (guint), pair_compare);
      memset (comp->tree, 0, (lower_size + 1) * sizeof (guint));

      for (guint p = 0; p < n_pairs; p++)
        {
          guint lower = comp->pairs[2 * p + 1];
          guint at_most = 0;

          /* Earlier connections whose lower end lies strictly below this one cross it. */
          for (guint k = lower + 1; k > 0; k -= k & -k)
            at_most += comp->tree[k];
          crossings += p - at_most;
          for (guint k = lower + 1; k <= lower_size; k += k & -k)
            comp->tree[k]++;
        }
    }

  return crossings;
}

/* Orders the layers of @comp to reduce crossings: alternating down and up barycenter
 * sweeps starting from document order, keeping the best order seen. */
static void
order_component (LayoutComponent *comp,
                 guint            n_members)
{
  LayoutGraph *graph = comp->graph;
  g_autofree guint *best = g_memdup2 (comp->order, n_members * sizeof (guint));
  g_autofree SortEntry *entries = g_new (SortEntry, n_members);
  guint64 best_crossings = count_crossings (comp);

  for (guint sweep = 0; sweep < LAYOUT_SWEEPS && best_crossings > 0; sweep++)
    {
      guint64 crossings;

      if (sweep % 2 == 0)
        {
          for (guint layer = 1; layer < comp->n_layers; layer++)
            sort_layer (comp, layer, TRUE, entries);
        }
      else
        {
          for (guint layer = comp->n_layers - 1; layer-- > 0;)
            sort_layer (comp, layer, FALSE, entries);
        }

      crossings = count_crossings (comp);
      if (crossings < best_crossings)
        {
          best_crossings = crossings;
          memcpy (best, comp->order, n_members * sizeof (guint));
        }
    }

  memcpy (comp->order, best, n_members * sizeof (guint));
  for (guint layer = 0; layer < comp->n_layers; layer++)
    {
      for (guint i = comp->layer_start[layer]; i < comp->layer_start[layer + 1]; i++)
        graph->rank[comp->order[i]] = i - comp->layer_start[layer];
    }
}

static void
set_position (JsonObject *node_object,
              double      x,
              double      y)
{
  JsonObject *position = json_object_new ();

  json_object_set_double_member (position, "x", x);
  json_object_set_double_member (position, "y", y);
  json_object_set_object_member (node_object, "position", position);
}

/* Lays out one component whose nodes are @members (document order) and writes their
 * positions, starting at @origin_x and *@top; advances *@top past the component. */
static void
place_component (LayoutGraph                 *graph,
                 const guint                 *members,
                 guint                        n_members,
                 const DecaFlowLayoutOptions *options,
                 double                       origin_x,
                 double                      *top)
{
  LayoutComponent comp = { .graph = graph };
  g_autofree guint *layer_start = NULL;
  g_autofree guint *order = NULL;
  g_autofree guint *pairs = NULL;
  g_autofree guint *tree = NULL;
  g_autofree guint *fill = NULL;
  guint n_edges = 0, widest = 0;
  double height;

  for (guint i = 0; i < n_members; i++)
    {
      guint v = members[i];

      comp.n_layers = MAX (comp.n_layers, graph->layer[v] + 1);
      n_edges += graph->succ_start[v + 1] - graph->succ_start[v];
    }

  /* Sort the members by layer, keeping document order inside each layer. */
  layer_start = g_new0 (guint, comp.n_layers + 1);
  fill = g_new (guint, comp.n_layers + 1);
  order = g_new (guint, n_members);
  for (guint i = 0; i < n_members; i++)
    layer_start[graph->layer[members[i]] + 1]++;
  for (guint layer = 0; layer < comp.n_layers; layer++)
    {
      g_assert (layer_start[layer + 1] > 0);
      widest = MAX (widest, layer_start[layer + 1]);
      layer_start[layer + 1] += layer_start[layer];
    }
  memcpy (fill, layer_start, (comp.n_layers + 1) * sizeof (guint));
  for (guint i = 0; i < n_members; i++)
    {
      guint v = members[i];
      guint layer = graph->layer[v];

      graph->rank[v] = fill[layer] - layer_start[layer];
      order[fill[layer]++] = v;
    }

  pairs = g_new (guint, 2 * MAX (n_edges, 1));
  tree = g_new (guint, widest + 1);
  comp.layer_start = layer_start;
  comp.order = order;
  comp.pairs = pairs;
  comp.tree = tree;

  order_component (&comp, n_members);

  height = widest * options->node_height + (widest - 1) * options->node_gap;
  for (guint layer = 0; layer < comp.n_layers; layer++)
    {
      guint size = layer_start[layer + 1] - layer_start[layer];
      double layer_height = size * options->node_height + (size - 1) * options->node_gap;
      /* Rounded down, so that whole-number options give whole-number positions; a shift
       * of the whole layer cannot make two of its cards overlap. */
      double offset = floor ((height - layer_height) / 2);
      double x = origin_x + layer * (options->node_width + options->layer_gap);

      for (guint i = 0; i < size; i++)
        {
          guint v = order[layer_start[layer] + i];

          set_position (graph->objects[v], x,
                        *top + offset + i * (options->node_height + options->node_gap));
        }
    }

  *top += height + options->node_gap;
}

static gboolean
layout_error (GError     **error,
              const char  *pointer,
              const char  *message,
              JsonNode    *node)
{
  g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE, "%s: %s%s", pointer,
               message, node != NULL ? deca_json_type_name (node) : "");
  return FALSE;
}

/*
 * deca_flow_layout_layered:
 * Writes "position": {"x", "y"} (the top-left corner of the node's card) into the node
 * objects of @flow_document, a flow as in docs/flow-format.md, laid out left to right in
 * layers that follow the connections. @options may be NULL for the defaults. With
 * keep_existing, nodes that already have a numeric x and y are left alone and the others
 * are laid out among themselves below everything already placed, so no card overlaps.
 *
 * Lenient about what it cannot use, as imports are often rough: elements of "nodes" that
 * are not objects, connections without both ends, to unknown ids or from a node to itself
 * are ignored; nodes without an id are placed as unconnected nodes. Cycles are broken, so
 * loops are fine. The layout is deterministic.
 *
 * Fails with DECA_ENGINE_ERROR_PARSE, leaving the document unchanged, when @flow_document
 * is not an object, "nodes" is missing or not an array, or "connections" is present and
 * not an array. @flow_document must not be sealed (immutable).
 */
gboolean
deca_flow_layout_layered (JsonNode                    *flow_document,
                          const DecaFlowLayoutOptions *options,
                          GError                     **error)
{
  g_auto(LayoutGraph) graph = { 0 };
  g_autoptr(GHashTable) ids = NULL;
  g_autoptr(GArray) edges = NULL;
  g_autoptr(GArray) dag = NULL;
  g_autofree gboolean *back = NULL;
  g_autofree guint *component = NULL;
  g_autofree guint *comp_start = NULL;
  g_autofree guint *members = NULL;
  DecaFlowLayoutOptions defaults;
  JsonObject *document;
  JsonNode *nodes_node, *connections_node;
  JsonArray *nodes, *connections = NULL;
  double origin_x = 0, top = 0, placed_min_x = G_MAXDOUBLE, placed_max_y = -G_MAXDOUBLE;
  guint n_elements, n_components;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (options == NULL)
    {
      deca_flow_layout_options_init (&defaults);
      options = &defaults;
    }
  g_return_val_if_fail (isfinite (options->node_width) && options->node_width > 0, FALSE);
  g_return_val_if_fail (isfinite (options->node_height) && options->node_height > 0, FALSE);
  g_return_val_if_fail (isfinite (options->layer_gap) && options->layer_gap >= 0, FALSE);
  g_return_val_if_fail (isfinite (options->node_gap) && options->node_gap >= 0, FALSE);

  if (flow_document == NULL || !JSON_NODE_HOLDS_OBJECT (flow_document))
    {
      g_set_error (error, DECA_ENGINE_ERROR, DECA_ENGINE_ERROR_PARSE,
                   _("a flow must be a JSON object, not %s"),
                   flow_document != NULL ? deca_json_type_name (flow_document) : "nothing");
      return FALSE;
    }
  g_return_val_if_fail (!json_node_is_immutable (flow_document), FALSE);

  document = json_node_get_object (flow_document);
  nodes_node = json_object_get_member (document, "nodes");
  if (nodes_node == NULL)
    return layout_error (error, "/nodes", "is required", NULL);
  if (!JSON_NODE_HOLDS_ARRAY (nodes_node))
    return layout_error (error, "/nodes", "must be an array, not ", nodes_node);
  nodes = json_node_get_array (nodes_node);

  connections_node = json_object_get_member (document, "connections");
  if (connections_node != NULL)
    {
      if (!JSON_NODE_HOLDS_ARRAY (connections_node))
        return layout_error (error, "/connections", "must be an array, not ", connections_node);
      connections = json_node_get_array (connections_node);
    }

  /* From here on nothing can fail: the document is only written at the end. */

  n_elements = json_array_get_length (nodes);
  graph.objects = g_new (JsonObject *, MAX (n_elements, 1));
  ids = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n_elements; i++)
    {
      JsonNode *element = json_array_get_element (nodes, i);
      JsonObject *object;
      const char *id;
      double x, y;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      object = json_node_get_object (element);
      if (options->keep_existing && node_position (object, &x, &y))
        {
          placed_min_x = MIN (placed_min_x, x);
          placed_max_y = MAX (placed_max_y, y);
          continue;
        }

      id = deca_json_object_get_string (object, "id");
      /* With duplicate ids, connections attach to the first node, as in the validator. */
      if (id != NULL && !g_hash_table_contains (ids, id))
        g_hash_table_insert (ids, (gpointer) id, GUINT_TO_POINTER (graph.n_nodes));
      graph.objects[graph.n_nodes++] = object;
    }

  if (placed_min_x != G_MAXDOUBLE)
    {
      origin_x = placed_min_x;
      top = placed_max_y + options->node_height + options->node_gap;
    }

  edges = g_array_new (FALSE, FALSE, sizeof (LayoutEdge));
  for (guint i = 0; connections != NULL && i < json_array_get_length (connections); i++)
    {
      JsonNode *element = json_array_get_element (connections, i);
      const char *from, *to;
      gpointer from_index, to_index;
      LayoutEdge edge;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      from = deca_json_object_get_string (json_node_get_object (element), "from");
      to = deca_json_object_get_string (json_node_get_object (element), "to");
      if (from == NULL || to == NULL ||
          !g_hash_table_lookup_extended (ids, from, NULL, &from_index) ||
          !g_hash_table_lookup_extended (ids, to, NULL, &to_index))
        continue;
      edge.from = GPOINTER_TO_UINT (from_index);
      edge.to = GPOINTER_TO_UINT (to_index);
      /* A self loop says nothing about where a node goes. */
      if (edge.from != edge.to)
        g_array_append_val (edges, edge);
    }

  if (graph.n_nodes == 0)
    return TRUE;

  back = g_new0 (gboolean, MAX (edges->len, 1));
  find_back_edges (graph.n_nodes, (LayoutEdge *) edges->data, edges->len, back);
  dag = g_array_sized_new (FALSE, FALSE, sizeof (LayoutEdge), edges->len);
  for (guint e = 0; e < edges->len; e++)
    {
      if (!back[e])
        g_array_append_val (dag, g_array_index (edges, LayoutEdge, e));
    }

  build_adjacency (graph.n_nodes, (LayoutEdge *) dag->data, dag->len, FALSE, FALSE,
                   &graph.succ_start, &graph.succ);
  build_adjacency (graph.n_nodes, (LayoutEdge *) dag->data, dag->len, TRUE, FALSE,
                   &graph.pred_start, &graph.pred);
  graph.layer = g_new (guint, graph.n_nodes);
  graph.rank = g_new (guint, graph.n_nodes);
  assign_layers (&graph);

  /* Group the nodes by component, each group in document order. */
  component = g_new (guint, graph.n_nodes);
  n_components = find_components (&graph, component);
  comp_start = g_new0 (guint, n_components + 1);
  members = g_new (guint, graph.n_nodes);
  for (guint v = 0; v < graph.n_nodes; v++)
    comp_start[component[v] + 1]++;
  for (guint c = 0; c < n_components; c++)
    comp_start[c + 1] += comp_start[c];
  {
    g_autofree guint *fill = g_memdup2 (comp_start, (n_components + 1) * sizeof (guint));

    for (guint v = 0; v < graph.n_nodes; v++)
      members[fill[component[v]]++] = v;
  }

  for (guint c = 0; c < n_components; c++)
    place_component (&graph, members + comp_start[c], comp_start[c + 1] - comp_start[c],
                     options, origin_x, &top);

  return TRUE;
}
