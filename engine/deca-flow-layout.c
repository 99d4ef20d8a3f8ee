/* deca-flow-layout.c: automatic layered (Sugiyama-style) layout of a flow document.
 *
 * The steps: read the nodes and connections of the JSON document; break cycles by ignoring
 * the back edges of a depth-first search that starts at the sources, so that the connection
 * from a loop body back to its loop node is the one ignored and the loop node stays before
 * its body; give every node a layer by the longest path from a source, then move each
 * source right up to its first successor; split the graph into weakly connected
 * components. Each component then becomes a proper layered graph: a connection that spans
 * more than one layer is split into a chain of dummy items, one per layer crossed. The
 * layers are ordered with barycenter sweeps that move nodes and dummies alike, keeping the
 * order with the fewest crossings; then every item gets a vertical centre near the median
 * of its neighbours, as far as the order and the gaps allow (place_layer), long chains
 * weighing most. A dummy takes a lane of vertical room in its layer, so no card is placed
 * where a long connection passes, but it is never written out.
 *
 * Every step runs in document order with explicit tie-breaks, so the same document always
 * gives the same positions. Each sweep and pass is linear in the number of nodes plus
 * dummies (up to the sorts of one layer or of one item's neighbours).
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "deca-flow-layout.h"
#include "deca-flow-layout-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deca-engine-error.h"
#include "deca-json.h"

/* Barycenter sweeps, alternating down and up. Most of the gain comes in the first few; the
 * best order seen is kept, so more sweeps never make the result worse, only slower. */
#define LAYOUT_SWEEPS 8

/* Coordinate passes, alternating left to right and back (an odd number, so the last goes
 * left to right). A handful is enough for chains and branches to settle. */
#define LAYOUT_PLACEMENT_PASSES 7

/* The most dummies one component may have. Each crossing costs some 60 bytes, so a
 * pathological flow (a long chain and a node connected to each of its links) stays
 * within tens of megabytes; real flows come nowhere near. */
#define LAYOUT_MAX_DUMMIES (1u << 20)

/* The largest run of items of one layer placed by the median of what they want; see
 * place_layer(). */
#define LAYOUT_MEDIAN_BLOCK 64

typedef struct {
  guint from;
  guint to;
} LayoutEdge;

typedef struct {
  guint n_nodes;
  JsonObject **objects;     /* borrowed from the document, one per node to place */
  guint *elements;          /* index in "nodes" of each */

  /* The acyclic graph in compressed form: the successors of v are
   * succ[succ_start[v] .. succ_start[v + 1]), its predecessors likewise. */
  guint *succ_start;
  guint *succ;
  guint *pred_start;
  guint *pred;

  guint *layer;
} LayoutGraph;

static void
layout_graph_clear (LayoutGraph *graph)
{
  g_free (graph->objects);
  g_free (graph->elements);
  g_free (graph->succ_start);
  g_free (graph->succ);
  g_free (graph->pred_start);
  g_free (graph->pred);
  g_free (graph->layer);
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
 * layer after its latest predecessor. Then a source whose successors all lie further
 * right moves to the layer just before the first of them, so that a node feeding only
 * the end of a flow does not drag a long connection across it. Every layer of a component
 * keeps a node: a node of layer l > 0 still has a predecessor in layer l - 1. */
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

  for (guint v = 0; v < n; v++)
    {
      guint first = G_MAXUINT;

      if (graph->pred_start[v + 1] > graph->pred_start[v] ||
          graph->succ_start[v + 1] == graph->succ_start[v])
        continue;
      for (guint i = graph->succ_start[v]; i < graph->succ_start[v + 1]; i++)
        first = MIN (first, graph->layer[graph->succ[i]]);
      graph->layer[v] = first - 1;
    }
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

/* One weakly connected component as a proper layered graph, which is what the ordering
 * and the coordinate assignment work on. Its items are the component's nodes (items
 * 0 .. n_real - 1, in document order) followed by the dummy items: one per layer crossed
 * by each connection that spans more than one layer. Segments join items of neighbouring
 * layers only, so a long connection is a chain of segments through its dummies. */
typedef struct {
  guint n_real;
  guint n_items;
  guint n_segments;
  guint n_layers;

  guint *layer;
  guint *rank;              /* position within its layer, top to bottom */
  guint *down_start;        /* the items after item i are down[down_start[i] ..] */
  guint *down;
  guint *up_start;          /* and those before it up[up_start[i] ..] */
  guint *up;

  guint *layer_start;       /* n_layers + 1 entries, into order */
  guint *order;             /* the items sorted by layer, then rank */
  double *centre;           /* vertical centre of each item */
  LayoutEdge *dummy_link;   /* the real items a dummy's connection joins, per dummy */

  /* Scratch space for counting crossings, sized for the component. */
  guint *pairs;
  guint *tree;
} LayoutComponent;

static void
layout_component_clear (LayoutComponent *comp)
{
  g_free (comp->layer);
  g_free (comp->rank);
  g_free (comp->down_start);
  g_free (comp->down);
  g_free (comp->up_start);
  g_free (comp->up);
  g_free (comp->layer_start);
  g_free (comp->order);
  g_free (comp->centre);
  g_free (comp->dummy_link);
  g_free (comp->pairs);
  g_free (comp->tree);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LayoutComponent, layout_component_clear)

static inline gboolean
is_dummy (const LayoutComponent *comp,
          guint                  item)
{
  return item >= comp->n_real;
}

/* Builds @comp, zero-filled, from the @n_members nodes @members (document order) of one
 * component of @graph: item i is node members[i]. @local and @seen are scratch arrays of
 * graph->n_nodes entries; @seen must not hold the index of any of these nodes (it starts
 * as G_MAXUINT everywhere, and is left holding indices of this component's nodes only).
 * Repeated connections between the same two nodes become one chain. */
static void
layout_component_init (LayoutComponent   *comp,
                       const LayoutGraph *graph,
                       const guint       *members,
                       guint              n_members,
                       guint             *local,
                       guint             *seen)
{
  g_autoptr(GArray) links = g_array_new (FALSE, FALSE, sizeof (LayoutEdge));
  g_autofree LayoutEdge *segments = NULL;
  g_autofree guint *fill = NULL;
  guint n_dummies = 0, next_dummy, widest = 0;

  comp->n_real = n_members;

  for (guint i = 0; i < n_members; i++)
    local[members[i]] = i;

  for (guint i = 0; i < n_members; i++)
    {
      guint v = members[i];

      for (guint j = graph->succ_start[v]; j < graph->succ_start[v + 1]; j++)
        {
          guint w = graph->succ[j];
          LayoutEdge link = { i, local[w] };

          guint crossed = graph->layer[w] - graph->layer[v] - 1;

          /* seen[w] == v when w was already a successor of v. */
          if (seen[w] == v)
            continue;
          seen[w] = v;
          /* Past the budget, a long connection is left out of the ordering and the
           * placement, like a back edge, rather than costing unbounded memory. */
          if (crossed > LAYOUT_MAX_DUMMIES - n_dummies)
            continue;
          g_array_append_val (links, link);
          n_dummies += crossed;
        }
      comp->n_layers = MAX (comp->n_layers, graph->layer[v] + 1);
    }
  comp->n_items = n_members + n_dummies;
  comp->n_segments = links->len + n_dummies;
  comp->layer = g_new (guint, comp->n_items);
  comp->rank = g_new (guint, comp->n_items);
  comp->centre = g_new (double, comp->n_items);
  comp->dummy_link = g_new (LayoutEdge, MAX (n_dummies, 1));
  segments = g_new (LayoutEdge, MAX (comp->n_segments, 1));

  for (guint i = 0; i < n_members; i++)
    comp->layer[i] = graph->layer[members[i]];

  /* Split each link into one segment per layer it spans, through new dummies. */
  next_dummy = n_members;
  for (guint i = 0, s = 0; i < links->len; i++)
    {
      LayoutEdge link = g_array_index (links, LayoutEdge, i);
      guint previous = link.from;

      for (guint layer = comp->layer[link.from] + 1; layer < comp->layer[link.to]; layer++)
        {
          comp->layer[next_dummy] = layer;
          comp->dummy_link[next_dummy - n_members] = link;
          segments[s++] = (LayoutEdge) { previous, next_dummy };
          previous = next_dummy++;
        }
      segments[s++] = (LayoutEdge) { previous, link.to };
    }
  g_assert (next_dummy == comp->n_items);

  build_adjacency (comp->n_items, segments, comp->n_segments, FALSE, FALSE,
                   &comp->down_start, &comp->down);
  build_adjacency (comp->n_items, segments, comp->n_segments, TRUE, FALSE,
                   &comp->up_start, &comp->up);

  /* The first order: by layer, the nodes in document order, then the dummies in the
   * order of their connections. */
  comp->layer_start = g_new0 (guint, comp->n_layers + 1);
  fill = g_new (guint, comp->n_layers + 1);
  comp->order = g_new (guint, comp->n_items);
  for (guint i = 0; i < comp->n_items; i++)
    comp->layer_start[comp->layer[i] + 1]++;
  for (guint layer = 0; layer < comp->n_layers; layer++)
    {
      /* Layering leaves no gaps, and dummies only fill layers between two nodes. */
      g_assert (comp->layer_start[layer + 1] > 0);
      widest = MAX (widest, comp->layer_start[layer + 1]);
      comp->layer_start[layer + 1] += comp->layer_start[layer];
    }
  memcpy (fill, comp->layer_start, (comp->n_layers + 1) * sizeof (guint));
  for (guint i = 0; i < comp->n_items; i++)
    {
      guint layer = comp->layer[i];

      comp->rank[i] = fill[layer] - comp->layer_start[layer];
      comp->order[fill[layer]++] = i;
    }

  comp->pairs = g_new (guint, 2 * MAX (comp->n_segments, 1));
  comp->tree = g_new (guint, widest + 1);
}

static double
centred_rank (const LayoutComponent *comp,
              guint                  item)
{
  guint layer = comp->layer[item];
  guint size = comp->layer_start[layer + 1] - comp->layer_start[layer];

  return comp->rank[item] - (size - 1) / 2.0;
}

typedef struct {
  double key;
  guint rank;
  guint item;
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

/* Reorders @layer by the barycenter of each item's neighbours in the layer before
 * (@use_up) or after. Positions are ranks centred on the middle of their layer, because
 * layers of different sizes line up on their middles; an item without such neighbours
 * keeps its own place. */
static void
sort_layer (LayoutComponent *comp,
            guint            layer,
            gboolean         use_up,
            SortEntry       *entries)
{
  guint first = comp->layer_start[layer];
  guint size = comp->layer_start[layer + 1] - first;
  const guint *start = use_up ? comp->up_start : comp->down_start;
  const guint *adjacent = use_up ? comp->up : comp->down;

  for (guint i = 0; i < size; i++)
    {
      guint v = comp->order[first + i];
      guint count = start[v + 1] - start[v];
      double sum = 0;

      for (guint j = start[v]; j < start[v + 1]; j++)
        sum += centred_rank (comp, adjacent[j]);
      entries[i].key = count > 0 ? sum / count : centred_rank (comp, v);
      entries[i].rank = comp->rank[v];
      entries[i].item = v;
    }

  qsort (entries, size, sizeof (SortEntry), sort_entry_compare);

  for (guint i = 0; i < size; i++)
    {
      comp->order[first + i] = entries[i].item;
      comp->rank[entries[i].item] = i;
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

/* Counts the crossings between the segments of @comp, layer pair by layer pair, as
 * inversions of the lower ends once the segments are sorted by their upper ends (a
 * Fenwick tree, so O(S log S) per count rather than O(S²)). Since long connections are
 * chains of segments, their crossings are counted too. */
static guint64
count_crossings (LayoutComponent *comp)
{
  guint64 crossings = 0;

  for (guint layer = 0; layer + 1 < comp->n_layers; layer++)
    {
      guint lower_size = comp->layer_start[layer + 2] - comp->layer_start[layer + 1];
      guint n_pairs = 0;

      for (guint i = comp->layer_start[layer]; i < comp->layer_start[layer + 1]; i++)
        {
          guint v = comp->order[i];

          for (guint j = comp->down_start[v]; j < comp->down_start[v + 1]; j++)
            {
              comp->pairs[2 * n_pairs] = comp->rank[v];
              comp->pairs[2 * n_pairs + 1] = comp->rank[comp->down[j]];
              n_pairs++;
            }
        }

      qsort (comp->pairs, n_pairs, 2 * sizeof (guint), pair_compare);
      memset (comp->tree, 0, (lower_size + 1) * sizeof (guint));

      for (guint p = 0; p < n_pairs; p++)
        {
          guint lower = comp->pairs[2 * p + 1];
          guint at_most = 0;

          /* Earlier segments whose lower end lies strictly below this one cross it. */
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
 * sweeps starting from the first order, keeping the best order seen. */
static void
order_component (LayoutComponent *comp)
{
  g_autofree guint *best = g_memdup2 (comp->order, comp->n_items * sizeof (guint));
  g_autofree SortEntry *entries = g_new (SortEntry, comp->n_items);
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
          memcpy (best, comp->order, comp->n_items * sizeof (guint));
        }
    }

  memcpy (comp->order, best, comp->n_items * sizeof (guint));
  for (guint layer = 0; layer < comp->n_layers; layer++)
    {
      for (guint i = comp->layer_start[layer]; i < comp->layer_start[layer + 1]; i++)
        comp->rank[comp->order[i]] = i - comp->layer_start[layer];
    }
}

/* Item sizes for the coordinate assignment: a node is a card, a dummy a lane. */
typedef struct {
  double card;              /* height of a card */
  double lane;              /* height of a dummy's lane */
  double gap;               /* between two cards */
  double lane_gap;          /* between a card and a lane; two lanes need none */
} LayoutSizes;

static double
item_height (const LayoutComponent *comp,
             const LayoutSizes     *sizes,
             guint                  item)
{
  return is_dummy (comp, item) ? sizes->lane : sizes->card;
}

/* The least space between @a and @b, neighbours in one layer. */
static double
item_gap (const LayoutComponent *comp,
          const LayoutSizes     *sizes,
          guint                  a,
          guint                  b)
{
  switch (is_dummy (comp, a) + is_dummy (comp, b))
    {
    case 0:
      return sizes->gap;
    case 1:
      return sizes->lane_gap;
    default:
      return 0;
    }
}

/* The least distance between the centres of @a and @b, neighbours in one layer. */
static double
separation (const LayoutComponent *comp,
            const LayoutSizes     *sizes,
            guint                  a,
            guint                  b)
{
  return (item_height (comp, sizes, a) + item_height (comp, sizes, b)) / 2 +
         item_gap (comp, sizes, a, b);
}

/* How much a segment wants to be straight: a long connection's inner segments most, so
 * that it runs in one lane, then its ends, then plain connections (the weights of Gansner
 * et al.'s "A technique for drawing directed graphs"). */
static double
segment_weight (const LayoutComponent *comp,
                guint                  a,
                guint                  b)
{
  static const double weights[] = { 1, 3, 8 };

  return weights[is_dummy (comp, a) + is_dummy (comp, b)];
}

/* A value some items want, and how strongly: a neighbour's centre for one item
 * (item_target), or a wanted centre less its offset for a layer (place_layer). */
typedef struct {
  double value;
  double weight;
} Wanted;

static int
wanted_compare (const void *a,
                const void *b)
{
  const Wanted *x = a;
  const Wanted *y = b;

  if (x->value != y->value)
    return x->value < y->value ? -1 : 1;
  return x->weight < y->weight ? -1 : x->weight > y->weight;
}

/* The weighted median of the @n values of @wanted, sorted by value; the midpoint of the
 * two middle ones when the weights split evenly. The weights are sums of small whole
 * numbers, so the comparisons are exact. */
static double
weighted_median (const Wanted *wanted,
                 guint         n)
{
  double total = 0, sum = 0;

  for (guint k = 0; k < n; k++)
    total += wanted[k].weight;
  for (guint k = 0; k < n; k++)
    {
      sum += wanted[k].weight;
      if (2 * sum == total && k + 1 < n)
        return (wanted[k].value + wanted[k + 1].value) / 2;
      if (2 * sum >= total)
        return wanted[k].value;
    }
  g_assert_not_reached ();
}

/* Where @item would like to be: the weighted median of the centres of its neighbours in
 * the layer before (@use_up) or after (the midpoint of the two middle ones when the
 * weights split evenly, which is what centres a node between two branches). Stores the
 * total weight in *@weight; an item without such neighbours wants to stay, weakly.
 * @scratch holds the item's degree. */
static double
item_target (const LayoutComponent *comp,
             guint                  item,
             gboolean               use_up,
             Wanted                *scratch,
             double                *weight)
{
  const guint *start = use_up ? comp->up_start : comp->down_start;
  const guint *adjacent = use_up ? comp->up : comp->down;
  guint n = 0;

  *weight = 0;
  for (guint j = start[item]; j < start[item + 1]; j++)
    {
      scratch[n].value = comp->centre[adjacent[j]];
      scratch[n].weight = segment_weight (comp, item, adjacent[j]);
      *weight += scratch[n].weight;
      n++;
    }

  if (n == 0)
    {
      *weight = 1;
      return comp->centre[item];
    }
  if (n > 1)
    qsort (scratch, n, sizeof (Wanted), wanted_compare);
  return weighted_median (scratch, n);
}

/* A run of items of one layer that move as one. */
typedef struct {
  guint first;              /* index into the layer of the block's first item */
  guint size;
  double weight;
  double sum;               /* of weight × wanted value */
  double value;             /* where the block goes, less the offsets */
  gboolean by_median;       /* its wanted values are kept sorted and value is their median */
} PlacementBlock;

/* Places the items of @layer as close to their targets as the separations allow. With o
 * the sum of the separations above an item, the items' centre - o must not decrease down
 * the layer; the item i wants target - o with the strength w of its neighbours. The
 * best placement by the sum of w × |distance to the target| is found by pooling adjacent
 * violators: a run of items that would come out in the wrong order is merged into a
 * block that moves as one, to the weighted median of what its items want. A median, not
 * a mean, is what lets a heavy item (a long connection's lane) keep its place entirely
 * instead of splitting the difference with a light one, so the connection stays
 * straight; an even split takes the midpoint, which keeps branches symmetric. A block
 * larger than LAYOUT_MEDIAN_BLOCK items (a big fan-out) moves to its weighted mean
 * instead, which keeps the pass linear in the layer's size. */
static void
place_layer (LayoutComponent   *comp,
             const LayoutSizes *sizes,
             guint              layer,
             gboolean           use_up,
             Wanted            *scratch,
             double            *offsets,
             Wanted            *wanted,
             Wanted            *merged,
             PlacementBlock    *blocks)
{
  guint first = comp->layer_start[layer];
  guint size = comp->layer_start[layer + 1] - first;
  guint n_blocks = 0;

  for (guint i = 0; i < size; i++)
    {
      guint v = comp->order[first + i];
      double weight, target;

      offsets[i] = 0;
      if (i > 0)
        offsets[i] = offsets[i - 1] + separation (comp, sizes, comp->order[first + i - 1], v);
      target = item_target (comp, v, use_up, scratch, &weight);
      wanted[i] = (Wanted) { target - offsets[i], weight };

      blocks[n_blocks++] = (PlacementBlock) { i, 1, weight, weight * wanted[i].value,
                                              wanted[i].value, TRUE };
      while (n_blocks > 1 && blocks[n_blocks - 1].value < blocks[n_blocks - 2].value)
        {
          PlacementBlock *upper = &blocks[n_blocks - 2];
          PlacementBlock *lower = &blocks[n_blocks - 1];

          upper->weight += lower->weight;
          upper->sum += lower->sum;
          upper->by_median = upper->by_median && lower->by_median &&
                             upper->size + lower->size <= LAYOUT_MEDIAN_BLOCK;
          if (upper->by_median)
            {
              /* Merge the two sorted runs, which lie next to each other. */
              guint a = upper->first, middle = lower->first, b = middle;
              guint end = middle + lower->size, k = 0;

              while (a < middle || b < end)
                {
                  if (b == end || (a < middle && wanted_compare (&wanted[a], &wanted[b]) <= 0))
                    merged[k++] = wanted[a++];
                  else
                    merged[k++] = wanted[b++];
                }
              memcpy (wanted + upper->first, merged, k * sizeof (Wanted));
              upper->size += lower->size;
              upper->value = weighted_median (wanted + upper->first, upper->size);
            }
          else
            {
              upper->size += lower->size;
              upper->value = upper->sum / upper->weight;
            }
          n_blocks--;
        }
    }

  for (guint b = 0; b < n_blocks; b++)
    {
      for (guint i = blocks[b].first; i < blocks[b].first + blocks[b].size; i++)
        comp->centre[comp->order[first + i]] = blocks[b].value + offsets[i];
    }
}

/* Gives every item of @comp a vertical centre: first each layer packed around 0, then
 * passes over the layers, alternately left to right, each item moving towards the median
 * of its neighbours on the left, and back, towards those on the right (place_layer).
 * One-sided passes carry positions along the chains in both directions, so that a part
 * of the flow joined to the rest only through a branch and its join cannot drift away.
 * The last pass goes left to right, as a flow is read. Straight chains stay straight,
 * branches fan out around their source, and a long connection keeps one lane that no
 * card sits in. */
static void
assign_coordinates (LayoutComponent   *comp,
                    const LayoutSizes *sizes)
{
  g_autofree Wanted *scratch = NULL;
  g_autofree double *offsets = NULL;
  g_autofree Wanted *wanted = NULL;
  g_autofree Wanted *merged = NULL;
  g_autofree PlacementBlock *blocks = NULL;
  guint widest = 0, degree = 1;

  for (guint layer = 0; layer < comp->n_layers; layer++)
    widest = MAX (widest, comp->layer_start[layer + 1] - comp->layer_start[layer]);
  for (guint i = 0; i < comp->n_items; i++)
    degree = MAX (degree, comp->up_start[i + 1] - comp->up_start[i] +
                          comp->down_start[i + 1] - comp->down_start[i]);
  scratch = g_new (Wanted, degree);
  offsets = g_new (double, widest);
  wanted = g_new (Wanted, widest);
  merged = g_new (Wanted, LAYOUT_MEDIAN_BLOCK);
  blocks = g_new (PlacementBlock, widest);

  for (guint layer = 0; layer < comp->n_layers; layer++)
    {
      guint first = comp->layer_start[layer];
      guint last = comp->layer_start[layer + 1] - 1;
      double at = 0;

      for (guint i = first; i <= last; i++)
        {
          if (i > first)
            at += separation (comp, sizes, comp->order[i - 1], comp->order[i]);
          comp->centre[comp->order[i]] = at;
        }
      for (guint i = first; i <= last; i++)
        comp->centre[comp->order[i]] -= at / 2;
    }

  for (guint pass = 0; pass < LAYOUT_PLACEMENT_PASSES && comp->n_layers > 1; pass++)
    {
      if (pass % 2 == 0)
        {
          for (guint layer = 1; layer < comp->n_layers; layer++)
            place_layer (comp, sizes, layer, TRUE, scratch, offsets, wanted, merged, blocks);
        }
      else
        {
          for (guint layer = comp->n_layers - 1; layer-- > 0;)
            place_layer (comp, sizes, layer, FALSE, scratch, offsets, wanted, merged, blocks);
        }
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

/* What the placement of every component shares. */
typedef struct {
  const DecaFlowLayoutOptions *options;
  LayoutSizes sizes;
  gboolean whole;           /* positions are rounded to whole numbers */
  guint *local;             /* scratch for layout_component_init(), one per node */
  guint *seen;
  GArray *lanes;            /* (nullable) where to report the dummies' lanes */
  double origin_x;
  double top;               /* where the next component starts */
} LayoutContext;

/* Lays out one component whose nodes are @members (document order), writes their
 * positions starting at ctx->origin_x and ctx->top, and advances ctx->top past the
 * component, dummies' lanes included. */
static void
place_component (LayoutContext     *ctx,
                 const LayoutGraph *graph,
                 const guint       *members,
                 guint              n_members)
{
  const DecaFlowLayoutOptions *options = ctx->options;
  const LayoutSizes *sizes = &ctx->sizes;
  double pitch = options->node_width + options->layer_gap;
  g_auto(LayoutComponent) comp = { 0 };
  double min_top = G_MAXDOUBLE, max_bottom = -G_MAXDOUBLE;

  layout_component_init (&comp, graph, members, n_members, ctx->local, ctx->seen);
  order_component (&comp);
  assign_coordinates (&comp, sizes);

  /* From centres to top edges (comp.centre holds those from here on), relative to the
   * component's top. */
  for (guint i = 0; i < comp.n_items; i++)
    {
      comp.centre[i] -= item_height (&comp, sizes, i) / 2;
      min_top = MIN (min_top, comp.centre[i]);
    }

  for (guint layer = 0; layer < comp.n_layers; layer++)
    {
      for (guint i = comp.layer_start[layer]; i < comp.layer_start[layer + 1]; i++)
        {
          guint v = comp.order[i];
          double y = comp.centre[v] - min_top;

          /* Whole-number options give whole-number positions. Rounding moves an item by
           * at most half a unit; pushing it below the one above restores the separation
           * that rounding (or floating point) may have eaten. */
          if (ctx->whole)
            y = floor (y + 0.5);
          if (i > comp.layer_start[layer])
            {
              guint above = comp.order[i - 1];
              double least = item_height (&comp, sizes, above) +
                             item_gap (&comp, sizes, above, v);

              y = MAX (y, comp.centre[above] + least);
            }
          comp.centre[v] = y;
          max_bottom = MAX (max_bottom, y + item_height (&comp, sizes, v));
        }
    }

  for (guint i = 0; i < comp.n_real; i++)
    set_position (graph->objects[members[i]], ctx->origin_x + comp.layer[i] * pitch,
                  ctx->top + comp.centre[i]);

  for (guint i = comp.n_real; ctx->lanes != NULL && i < comp.n_items; i++)
    {
      LayoutEdge link = comp.dummy_link[i - comp.n_real];
      DecaFlowLayoutLane lane = {
        .from = graph->elements[members[link.from]],
        .to = graph->elements[members[link.to]],
        .x = ctx->origin_x + comp.layer[i] * pitch,
        .y = ctx->top + comp.centre[i],
        .width = options->node_width,
        .height = sizes->lane,
      };

      g_array_append_val (ctx->lanes, lane);
    }

  ctx->top += max_bottom + options->node_gap;
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
 * loops are fine. Connections that skip layers get lanes no card is placed in. The layout
 * is deterministic.
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
  return _deca_flow_layout_layered_lanes (flow_document, options, NULL, error);
}

/* _deca_flow_layout_layered_lanes: see deca-flow-layout-private.h. @lanes may be NULL. */
gboolean
_deca_flow_layout_layered_lanes (JsonNode                    *flow_document,
                                 const DecaFlowLayoutOptions *options,
                                 GArray                      *lanes,
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
  g_autofree guint *local = NULL;
  g_autofree guint *seen = NULL;
  DecaFlowLayoutOptions defaults;
  LayoutContext ctx = { .lanes = lanes };
  JsonObject *document;
  JsonNode *nodes_node, *connections_node;
  JsonArray *nodes, *connections = NULL;
  double placed_min_x = G_MAXDOUBLE, placed_max_y = -G_MAXDOUBLE;
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
  graph.elements = g_new (guint, MAX (n_elements, 1));
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
      graph.elements[graph.n_nodes] = i;
      graph.objects[graph.n_nodes++] = object;
    }

  if (placed_min_x != G_MAXDOUBLE)
    {
      ctx.origin_x = placed_min_x;
      ctx.top = placed_max_y + options->node_height + options->node_gap;
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

  /* A lane a third of a card and its gap, half a gap from the cards beside it: room
   * enough to tell a passing connection from those cards, without making flows with many
   * long connections very tall. */
  ctx.options = options;
  ctx.whole = floor (options->node_height) == options->node_height &&
              floor (options->node_gap) == options->node_gap;
  ctx.sizes.card = options->node_height;
  ctx.sizes.gap = options->node_gap;
  ctx.sizes.lane = (options->node_height + options->node_gap) / 3;
  ctx.sizes.lane_gap = options->node_gap / 2;
  if (ctx.whole)
    {
      ctx.sizes.lane = ceil (ctx.sizes.lane);
      ctx.sizes.lane_gap = ceil (ctx.sizes.lane_gap);
    }

  local = g_new (guint, graph.n_nodes);
  seen = g_new (guint, graph.n_nodes);
  for (guint v = 0; v < graph.n_nodes; v++)
    seen[v] = G_MAXUINT;
  ctx.local = local;
  ctx.seen = seen;
  for (guint c = 0; c < n_components; c++)
    place_component (&ctx, &graph, members + comp_start[c], comp_start[c + 1] - comp_start[c]);

  return TRUE;
}
